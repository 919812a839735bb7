package dev.leaderelection;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The leader of one election as this instance knows it, from its own grants and revocations, the
 * store's answers to its campaign and the store's announcements; tells the listeners when it
 * changes. Written on the election thread only, read anywhere.
 *
 * <p>Fencing tokens of an election only grow, so an announcement with a token no larger than one
 * already known is stale (delivered late, or repeated) and changes nothing.
 */
final class KnownLeader {

    private final LeadershipListener listeners;
    private volatile @Nullable String leaderId;
    private volatile @Nullable Long fencingToken;
    private long highestToken = Long.MIN_VALUE;

    KnownLeader(LeadershipListener listeners) {
        this.listeners = listeners;
    }

    @Nullable
    String leaderId() {
        return leaderId;
    }

    /** This instance or another was granted the term with {@code token}, as told by the store. */
    void granted(String instanceId, long token) {
        if (token <= highestToken) {
            return;
        }
        highestToken = token;
        change(instanceId, token);
    }

    /**
     * The store named {@code instanceId} as the holder, without its token: the token known stays
     * if it is the same holder.
     */
    void heldBy(String instanceId) {
        change(instanceId, instanceId.equals(leaderId) ? fencingToken : null);
    }

    /** Nobody is known to lead: the lease was released, or the store cannot be reached. */
    void unknown() {
        change(null, null);
    }

    private void change(@Nullable String newLeader, @Nullable Long newToken) {
        if (Objects.equals(leaderId, newLeader) && Objects.equals(fencingToken, newToken)) {
            return;
        }
        leaderId = newLeader;
        fencingToken = newToken;
        listeners.leaderChanged(newLeader, newToken);
    }
}
