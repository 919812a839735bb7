package dev.leaderelection.actuate;

import dev.leaderelection.ElectionStatus;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaderElector;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code leader} endpoint: who leads, since when, how much of the lease is left. Its write
 * operation yields leadership; it is read-only unless access is granted with {@code
 * management.endpoint.leader.access=unrestricted}.
 */
@Endpoint(id = "leader", defaultAccess = Access.READ_ONLY)
public class LeaderEndpoint {

    private final LeaderElector elector;

    public LeaderEndpoint(LeaderElector elector) {
        this.elector = elector;
    }

    @ReadOperation
    public LeaderDescriptor leader() {
        return LeaderDescriptor.of(elector.status());
    }

    /** Gives up leadership (with the cooldown) and answers the state afterwards. */
    @WriteOperation
    public LeaderDescriptor yieldLeadership() {
        elector.yieldLeadership();
        return leader();
    }

    /** The endpoint's JSON. Durations are in milliseconds, instants in ISO-8601. */
    public record LeaderDescriptor(
            String election,
            String instanceId,
            String role,
            @Nullable String leaderId,
            @Nullable Long fencingToken,
            @Nullable Long leaseRemainingMillis,
            Instant since,
            @Nullable Instant lastRenewal,
            @Nullable String lastError,
            String store,
            String wakeUps,
            Timings timings) {

        static LeaderDescriptor of(ElectionStatus status) {
            Duration remaining = status.leaseRemaining();
            return new LeaderDescriptor(
                    status.election(),
                    status.instanceId(),
                    status.state().name(),
                    status.leaderId(),
                    status.fencingToken(),
                    remaining == null ? null : Math.max(0, remaining.toMillis()),
                    status.since(),
                    status.lastRenewal(),
                    status.lastError(),
                    status.store(),
                    status.wakeUps().name(),
                    Timings.of(status.timings()));
        }
    }

    /** The effective timings, in milliseconds. */
    public record Timings(
            long leaseDurationMillis,
            long renewIntervalMillis,
            long operationTimeoutMillis,
            long driftMarginMillis,
            long retryIntervalMillis,
            long yieldCooldownMillis) {

        static Timings of(ElectionTimings timings) {
            return new Timings(
                    timings.leaseDuration().toMillis(),
                    timings.renewInterval().toMillis(),
                    timings.operationTimeout().toMillis(),
                    timings.driftMargin().toMillis(),
                    timings.retryInterval().toMillis(),
                    timings.yieldCooldown().toMillis());
        }
    }
}
