package dev.leaderelection.actuate;

import dev.leaderelection.ElectionStatus;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaderElectors;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code leader} endpoint: who leads, since when, how much of the lease is left; {@code
 * /actuator/leader} for the default election, {@code /actuator/leader/{election}} for any (404 for
 * an election the application does not take part in). Its write operations yield leadership of
 * that one election; it is read-only unless access is granted with {@code
 * management.endpoint.leader.access=unrestricted}.
 */
@Endpoint(id = "leader", defaultAccess = Access.READ_ONLY)
public class LeaderEndpoint {

    private final LeaderElectors electors;

    /** The endpoint of one election. */
    public LeaderEndpoint(LeaderElector elector) {
        this(LeaderElectors.of(elector));
    }

    /** The endpoint of every election of {@code electors}. */
    public LeaderEndpoint(LeaderElectors electors) {
        this.electors = electors;
    }

    /** The default election. */
    @ReadOperation
    public LeaderDescriptor leader() {
        return LeaderDescriptor.of(electors.defaultElector().status());
    }

    /** The election {@code election}, or {@code null} (404 over HTTP) if there is no such election. */
    @ReadOperation
    public @Nullable LeaderDescriptor leader(@Selector String election) {
        return electors.find(election)
                .map(elector -> LeaderDescriptor.of(elector.status()))
                .orElse(null);
    }

    /** Gives up leadership of the default election (with the cooldown) and answers its state afterwards. */
    @WriteOperation
    public LeaderDescriptor yieldLeadership() {
        LeaderElector elector = electors.defaultElector();
        elector.yieldLeadership();
        return LeaderDescriptor.of(elector.status());
    }

    /**
     * Gives up leadership of {@code election} only (with its cooldown) and answers its state
     * afterwards; 404 if there is no such election.
     */
    @WriteOperation
    public WebEndpointResponse<LeaderDescriptor> yieldLeadership(@Selector String election) {
        return electors.find(election)
                .map(elector -> {
                    elector.yieldLeadership();
                    return new WebEndpointResponse<>(LeaderDescriptor.of(elector.status()));
                })
                .orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
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
