package dev.leaderelection.etcd;

import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.tck.ElectionHistory;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Electors of one election on etcd, each with its own client, store and threads, as separate processes. */
final class Electors implements AutoCloseable {

    static final Duration LEASE = Duration.ofSeconds(2);
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(LEASE)
            .renewInterval(Duration.ofMillis(500))
            .operationTimeout(Duration.ofMillis(400))
            .retryInterval(Duration.ofSeconds(1))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 0.5))
            .build();

    final ElectionHistory history = new ElectionHistory();
    private final List<Instance> instances = new ArrayList<>();
    private final String keyPrefix;

    Electors(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    /** One elector with everything a separate process would have of its own. */
    final class Instance {
        final String id;
        final List<String> endpoints;
        final EtcdLeaseStore store;
        final ThreadPoolElectionScheduler scheduler;
        final LeaseLeaderElector elector;
        /** Every gRPC call and stream this instance's client opened. */
        final AtomicLong calls = new AtomicLong();

        boolean crashed;

        Instance(String id, List<String> endpoints) {
            this.id = id;
            this.endpoints = endpoints;
            // pick_first: the instance talks to its first endpoint while that member answers
            this.store = new EtcdLeaseStore(
                    EtcdLeaseStore.clientBuilder(endpoints)
                            .loadBalancerPolicy("pick_first")
                            .interceptor(new ClientInterceptor() {
                                @Override
                                public <Q, R> ClientCall<Q, R> interceptCall(
                                        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                                    calls.incrementAndGet();
                                    return next.newCall(method, options);
                                }
                            })
                            .build(),
                    keyPrefix);
            this.scheduler = new ThreadPoolElectionScheduler(1, id + "-election-");
            this.elector = new LeaseLeaderElector("orders", id, store, TIMINGS, scheduler);
            this.elector.addListener(history.listenerFor(id));
        }

        /** Dies without a word: no revocation, no release. */
        void crash() {
            crashed = true;
            scheduler.close();
            history.crashed(id);
            store.close();
        }

        void close() {
            if (!crashed) {
                elector.stop();
                store.stop();
                store.close();
                scheduler.close();
            }
        }
    }

    Instance start(String id, List<String> endpoints) {
        Instance instance = new Instance(id, endpoints);
        instances.add(instance);
        instance.store.start();
        instance.elector.start();
        return instance;
    }

    /** One leader whose grant the listeners have seen: the grant sets the guard before it notifies them. */
    Instance awaitOneLeader(Duration within) {
        await().atMost(within).until(() -> leaders().count() == 1 && grantRecorded());
        return leaders().findFirst().orElseThrow();
    }

    private boolean grantRecorded() {
        ElectionHistory.Term last = history.terms().isEmpty() ? null : history.lastTerm();
        return last != null
                && last.endedAt() == null
                && leaders().anyMatch(leader -> leader.id.equals(last.instance()));
    }

    Stream<Instance> live() {
        return instances.stream().filter(instance -> !instance.crashed);
    }

    Stream<Instance> leaders() {
        return live().filter(instance -> instance.elector.isLeader());
    }

    /** Stops every instance, then checks that no two terms overlapped and tokens grew. */
    @Override
    public void close() {
        instances.forEach(Instance::close);
        history.assertOneLeaderAtATime();
    }
}
