package dev.leaderelection.benchmarks;

import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * What {@code leader.election.redis.min-replicas-acked=1} costs: a primary and one replica on
 * loopback; the latency of a renewal, and of a grant on a free lease (what a hand-off adds once the
 * successor asks), with and without {@code WAIT 1}. The two settings take turns call by call, so
 * that the machine's noise falls on both alike. Run: {@code java -cp <benchmarks classpath>
 * dev.leaderelection.benchmarks.ReplicaAckBenchmark [calls]}.
 */
public final class ReplicaAckBenchmark {

    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration WAIT_TIMEOUT = Duration.ofMillis(500);

    private ReplicaAckBenchmark() {}

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        try (ProcessRedisServer primary = new ProcessRedisServer()) {
            primary.start();
            try (ProcessRedisServer replica = ProcessRedisServer.replicaOf(primary.port())) {
                replica.start();
                replica.awaitReplicationLinkUp();
                run(primary.port(), calls);
            }
        }
    }

    private static void run(int port, int calls) throws Exception {
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            RedisLeaseStore plain = store(port, 0, resources);
            RedisLeaseStore acked = store(port, 1, resources);
            RedisLeaseStore[] stores = {plain, acked};
            List<List<Double>> renewals = List.of(new ArrayList<>(), new ArrayList<>());
            List<List<Double>> grants = List.of(new ArrayList<>(), new ArrayList<>());
            int warmUp = Math.max(200, calls / 5);
            for (int i = -warmUp; i < calls; i++) {
                for (int s = 0; s < stores.length; s++) {
                    RedisLeaseStore store = stores[s];
                    String election = "bench-" + s;
                    LeaseToken token = LeaseToken.random("node-" + s);
                    long start = System.nanoTime();
                    AcquireResult result = store.acquire(election, token, LEASE)
                            .toCompletableFuture()
                            .get(5, TimeUnit.SECONDS);
                    long granted = System.nanoTime();
                    if (!(result instanceof AcquireResult.Granted)) {
                        throw new IllegalStateException("not granted: " + result);
                    }
                    if (!store.renew(election, token, LEASE)
                            .toCompletableFuture()
                            .get(5, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("not renewed");
                    }
                    long renewed = System.nanoTime();
                    store.release(election, token).toCompletableFuture().get(5, TimeUnit.SECONDS);
                    if (i >= 0) {
                        grants.get(s).add((granted - start) / 1e6);
                        renewals.get(s).add((renewed - granted) / 1e6);
                    }
                }
            }
            System.out.println("| call | min-replicas-acked | calls | median | p95 | max |");
            System.out.println("|---|---|---|---|---|---|");
            for (int s = 0; s < stores.length; s++) {
                print("grant of a free lease", s, new Distribution(grants.get(s)));
            }
            for (int s = 0; s < stores.length; s++) {
                print("renewal", s, new Distribution(renewals.get(s)));
            }
        } finally {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
        }
    }

    private static void print(String call, int minReplicasAcked, Distribution times) {
        System.out.println(String.format(
                Locale.ROOT,
                "| %s | %d | %d | %.3f ms | %.3f ms | %.3f ms |",
                call,
                minReplicasAcked,
                times.count(),
                times.median(),
                times.p95(),
                times.max()));
    }

    private static RedisLeaseStore store(int port, int minReplicasAcked, List<AutoCloseable> resources) {
        LettuceConnectionFactory connections = RedisConnections.factory(port, null);
        resources.add(connections::destroy);
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("replica-ack-bench")
                .restartGuard(false)
                .minReplicasAcked(minReplicasAcked, WAIT_TIMEOUT)
                .build();
        resources.add(store);
        store.start();
        return store;
    }
}
