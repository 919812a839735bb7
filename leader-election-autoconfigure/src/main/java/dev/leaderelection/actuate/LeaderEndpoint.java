package dev.leaderelection.actuate;

import dev.leaderelection.ElectionStatus;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaderElectors;
import dev.leaderelection.store.Candidate;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * that one election; {@code candidates} lists the instances that campaign in it, as the store
 * lists them when asked (bounded by the operation timeout; empty if the store does not answer in
 * time or keeps no candidates). It is read-only unless access is granted with {@code
 * management.endpoint.leader.access=unrestricted}.
 */
@Endpoint(id = "leader", defaultAccess = Access.READ_ONLY)
public class LeaderEndpoint {

    private static final Logger log = LoggerFactory.getLogger(LeaderEndpoint.class);

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
        return describe(electors.defaultElector());
    }

    /** The election {@code election}, or {@code null} (404 over HTTP) if there is no such election. */
    @ReadOperation
    public @Nullable LeaderDescriptor leader(@Selector String election) {
        return electors.find(election).map(LeaderEndpoint::describe).orElse(null);
    }

    /** Gives up leadership of the default election (with the cooldown) and answers its state afterwards. */
    @WriteOperation
    public LeaderDescriptor yieldLeadership() {
        LeaderElector elector = electors.defaultElector();
        elector.yieldLeadership();
        return describe(elector);
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
                    return new WebEndpointResponse<>(describe(elector));
                })
                .orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
    }

    private static LeaderDescriptor describe(LeaderElector elector) {
        ElectionStatus status = elector.status();
        return LeaderDescriptor.of(status, candidates(elector, status));
    }

    /** Asks the store; the elector bounds the call by the operation timeout, and so does this wait. */
    private static List<CandidateDescriptor> candidates(LeaderElector elector, ElectionStatus status) {
        Duration timeout = status.timings().operationTimeout();
        try {
            List<Candidate> candidates =
                    elector.candidates().toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return candidates.stream()
                    .sorted(Comparator.comparing(Candidate::instanceId))
                    .map(candidate -> new CandidateDescriptor(
                            candidate.instanceId(),
                            candidate.instanceId().equals(status.leaderId()) ? "LEADER" : "FOLLOWER",
                            candidate.lastSeen()))
                    .toList();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (Exception ex) {
            log.debug("Election {}: the store did not list the candidates: {}", status.election(), ex.toString());
            return List.of();
        }
    }

    /**
     * One instance that campaigns in the election.
     *
     * @param instanceId its instance id
     * @param role {@code LEADER} for the leader this instance knows of, else {@code FOLLOWER}
     * @param lastSeen when its last acquire or renew reached the store
     */
    public record CandidateDescriptor(String instanceId, String role, Instant lastSeen) {}

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
            Timings timings,
            List<CandidateDescriptor> candidates) {

        static LeaderDescriptor of(ElectionStatus status, List<CandidateDescriptor> candidates) {
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
                    Timings.of(status.timings()),
                    candidates);
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
