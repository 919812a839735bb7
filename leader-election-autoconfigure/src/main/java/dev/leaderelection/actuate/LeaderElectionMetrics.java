package dev.leaderelection.actuate;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaderElectors;
import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.StoreCallOutcome;
import dev.leaderelection.StoreOperation;
import dev.leaderelection.store.WakeUps;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of every elector, each tagged with {@code election} and {@code store} (the
 * store's kind, such as {@code redis}): {@code leader.election.leader} (1 while leader), {@code
 * leader.election.lease.remaining} (seconds until the local deadline), {@code
 * leader.election.transitions}, {@code leader.election.store.latency}, {@code
 * leader.election.drain.wait} (how long a voluntary step-down waited for guarded calls in flight)
 * and {@code leader.election.wakeups.subscribed} (1 while the store's release wake-ups are up).
 */
public class LeaderElectionMetrics implements MeterBinder {

    private final List<ElectorMeters> electors;

    /** The meters of one elector. */
    public LeaderElectionMetrics(LeaderElector elector) {
        this(LeaderElectors.of(elector));
    }

    /** The meters of every elector of {@code electors}. */
    public LeaderElectionMetrics(LeaderElectors electors) {
        this.electors = electors.all().stream().map(ElectorMeters::new).toList();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        electors.forEach(meters -> meters.bindTo(registry));
    }

    /** The meters of one elector, fed by its transitions and store calls. */
    private static final class ElectorMeters implements LeadershipListener {

        private final LeaderElector elector;
        private final Tags tags;
        private volatile @Nullable MeterRegistry registry;

        ElectorMeters(LeaderElector elector) {
            this.elector = elector;
            this.tags = Tags.of(
                    "election", elector.election(), "store", elector.status().store());
        }

        void bindTo(MeterRegistry registry) {
            this.registry = registry;
            Gauge.builder("leader.election.leader", elector, e -> e.isLeader() ? 1 : 0)
                    .tags(tags)
                    .description("Whether this instance is leader (1) or not (0)")
                    .register(registry);
            Gauge.builder("leader.election.lease.remaining", elector, ElectorMeters::secondsRemaining)
                    .tags(tags)
                    .baseUnit("seconds")
                    .description("Time left until this leader's local deadline; 0 when not leader")
                    .register(registry);
            Gauge.builder(
                            "leader.election.wakeups.subscribed",
                            elector,
                            e -> e.status().wakeUps() == WakeUps.SUBSCRIBED ? 1 : 0)
                    .tags(tags)
                    .description("Whether the store's link that wakes this instance on a release is up (1) or not (0)")
                    .register(registry);
            elector.addListener(this);
        }

        @Override
        public void granted(Leadership leadership) {
            countTransition("granted", "acquired");
        }

        @Override
        public void revoked(Leadership leadership, RevocationReason reason) {
            countTransition("revoked", reason.name().toLowerCase(Locale.ROOT));
        }

        @Override
        public void drained(Leadership leadership, Duration waited) {
            MeterRegistry target = registry;
            if (target != null) {
                Timer.builder("leader.election.drain.wait")
                        .tags(tags)
                        .description("Time a voluntary step-down waited for guarded calls in flight before releasing")
                        .register(target)
                        .record(waited);
            }
        }

        @Override
        public void storeCallCompleted(StoreOperation operation, StoreCallOutcome outcome, Duration latency) {
            MeterRegistry target = registry;
            if (target != null) {
                Timer.builder("leader.election.store.latency")
                        .tags(tags)
                        .tag("operation", operation.label())
                        .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                        .description("Time from sending a store call to its answer or timeout")
                        .register(target)
                        .record(latency);
            }
        }

        private void countTransition(String transition, String reason) {
            MeterRegistry target = registry;
            if (target != null) {
                Counter.builder("leader.election.transitions")
                        .tags(tags)
                        .tag("transition", transition)
                        .tag("reason", reason)
                        .description("Leadership grants and revocations of this instance")
                        .register(target)
                        .increment();
            }
        }

        private static double secondsRemaining(LeaderElector elector) {
            Duration remaining = elector.status().leaseRemaining();
            return remaining == null ? 0 : Math.max(0, remaining.toNanos() / 1e9);
        }
    }
}
