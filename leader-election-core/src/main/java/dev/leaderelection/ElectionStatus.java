package dev.leaderelection;

import dev.leaderelection.store.WakeUps;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one elector, for humans and monitoring.
 *
 * @param election the election name
 * @param instanceId this instance's id
 * @param state the current state
 * @param leaderId the leader's instance id as last seen, or {@code null} if unknown
 * @param fencingToken the current term's fencing token while leader, else {@code null}
 * @param leaseRemaining time left until the local deadline while leader, else {@code null}
 * @param since when the current state began
 * @param lastRenewal when the lease was last acquired or renewed by this instance, or {@code null}
 * @param lastError the last store error seen, without credentials, or {@code null}
 * @param store the store kind, such as {@code redis}
 * @param wakeUps the state of the store's link that wakes this instance on a release
 * @param timings the timings the elector runs with
 */
public record ElectionStatus(
        String election,
        String instanceId,
        ElectionState state,
        @Nullable String leaderId,
        @Nullable Long fencingToken,
        @Nullable Duration leaseRemaining,
        Instant since,
        @Nullable Instant lastRenewal,
        @Nullable String lastError,
        String store,
        WakeUps wakeUps,
        ElectionTimings timings) {}
