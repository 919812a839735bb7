package dev.leaderelection.testing.process;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What an application's {@code GET /actuator/leader} answered, or a pseudo role while it cannot
 * answer ({@link #STARTING}, {@link #NO_ANSWER}, {@link #FROZEN}, {@link #STOPPING}, {@link
 * #STOPPED}, {@link #KILLED}, {@link #EXITED}).
 *
 * @param role the elector's state, such as {@code LEADER}, or the pseudo role
 * @param fencingToken the current term's token while leader
 * @param since when the elector entered its state (the application's wall clock)
 * @param lastRenewal when the lease was last acquired or renewed (the application's wall clock)
 * @param lastError the last store error, if any
 * @param leaseDuration the elector's lease duration
 */
public record LeaderStatus(
        String role,
        @Nullable Long fencingToken,
        @Nullable Instant since,
        @Nullable Instant lastRenewal,
        @Nullable String lastError,
        @Nullable Duration leaseDuration) {

    public static final LeaderStatus STARTING = pseudo("STARTING");
    public static final LeaderStatus NO_ANSWER = pseudo("NO ANSWER");
    public static final LeaderStatus FROZEN = pseudo("FROZEN");
    public static final LeaderStatus STOPPING = pseudo("STOPPING");
    public static final LeaderStatus STOPPED = pseudo("STOPPED");
    public static final LeaderStatus KILLED = pseudo("KILLED");
    public static final LeaderStatus EXITED = pseudo("EXITED");

    private static LeaderStatus pseudo(String role) {
        return new LeaderStatus(role, null, null, null, null, null);
    }

    public boolean isLeader() {
        return role.equals("LEADER");
    }

    /** Whether the process has ended. */
    public boolean isGone() {
        return equals(KILLED) || equals(STOPPED) || equals(EXITED);
    }
}
