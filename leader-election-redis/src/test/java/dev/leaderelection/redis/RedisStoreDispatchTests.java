package dev.leaderelection.redis;

import static dev.leaderelection.redis.StoreCalls.answer;
import static dev.leaderelection.redis.StoreCalls.granted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.proxy.TcpProxy;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** How the store sends its calls: in the order they are made, from a thread of its own. */
class RedisStoreDispatchTests {

    static final Duration LEASE = Duration.ofSeconds(30);
    static final int PAIRS = 200;

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    void anAcquireAndAReleaseMadeBackToBackReachRedisInThatOrder() throws Exception {
        try (TcpProxy proxy = new TcpProxy(redis.server().port())) {
            proxy.latency(Duration.ofMillis(2));
            LettuceConnectionFactory connections = LettuceFactories.connectedTo(
                    new RedisStandaloneConfiguration(redis.server().host(), proxy.port()));
            try (RedisLeaseStore store = unguarded(connections)) {
                // Open the connection and cache both scripts: no fallback to EVAL between the calls below.
                LeaseToken warmUp = LeaseToken.random("node-a");
                granted(store.acquire("warm-up", warmUp, LEASE));
                assertThat(answer(store.release("warm-up", warmUp))).isTrue();

                List<CompletableFuture<AcquireResult>> acquires = new ArrayList<>();
                List<CompletableFuture<Boolean>> releases = new ArrayList<>();
                for (int i = 0; i < PAIRS; i++) {
                    LeaseToken token = LeaseToken.random("node-a");
                    acquires.add(store.acquire("pair-" + i, token, LEASE).toCompletableFuture());
                    releases.add(store.release("pair-" + i, token).toCompletableFuture());
                }
                CompletableFuture.allOf(Stream.concat(acquires.stream(), releases.stream())
                                .toArray(CompletableFuture[]::new))
                        .get(30, TimeUnit.SECONDS);

                assertThat(acquires)
                        .allSatisfy(acquire -> assertThat(acquire.join()).isInstanceOf(AcquireResult.Granted.class));
                assertThat(releases.stream().filter(CompletableFuture::join).count())
                        .as("releases that came after their acquire")
                        .isEqualTo(PAIRS);
                String[] leaseKeys = IntStream.range(0, PAIRS)
                        .mapToObj(i -> "{order:pair-" + i + "}:lease")
                        .toArray(String[]::new);
                assertThat(redis.command(Stream.concat(Stream.of("EXISTS"), Stream.of(leaseKeys))
                                .toArray(String[]::new)))
                        .as("leases left held")
                        .isEqualTo("0");
            } finally {
                connections.destroy();
            }
        }
    }

    @Test
    void aStoreSendsFromADaemonThreadOfItsOwnAndStopsItOnClose() {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(redis.server());
        try {
            RedisLeaseStore store = unguarded(connections);
            granted(store.acquire("thread", LeaseToken.random("node-a"), LEASE));
            List<Thread> before = dispatchThreads();
            assertThat(before)
                    .isNotEmpty()
                    .allSatisfy(thread -> assertThat(thread.isDaemon()).isTrue());

            store.close();

            await().atMost(Duration.ofSeconds(5)).until(() -> dispatchThreads().size() < before.size());
            assertThat(store.acquire("thread", LeaseToken.random("node-b"), LEASE)
                            .toCompletableFuture())
                    .as("a closed store sends nothing")
                    .failsWithin(Duration.ofSeconds(5));
        } finally {
            connections.destroy();
        }
    }

    private static List<Thread> dispatchThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().matches("leader-election-redis-\\d+"))
                .toList();
    }

    private static RedisLeaseStore unguarded(LettuceConnectionFactory connections) {
        return RedisLeaseStore.builder(connections)
                .keyPrefix("order")
                .restartGuard(false)
                .build();
    }
}
