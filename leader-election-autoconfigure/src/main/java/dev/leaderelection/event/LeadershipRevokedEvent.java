package dev.leaderelection.event;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.Leadership;
import dev.leaderelection.RevocationReason;

/**
 * This instance stopped being leader. Stop the leader's work at once. Exactly one follows every
 * {@link LeadershipGrantedEvent}, always before the next one; by the time it arrives,
 * {@link LeaderElector#isLeader()} already answers {@code false}.
 */
public class LeadershipRevokedEvent extends LeadershipEvent {

    private final RevocationReason reason;

    public LeadershipRevokedEvent(LeaderElector source, Leadership leadership, RevocationReason reason) {
        super(source, leadership);
        this.reason = reason;
    }

    /** Why leadership ended. */
    public RevocationReason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "LeadershipRevokedEvent[election=" + election() + ", instance=" + instanceId() + ", fencingToken="
                + fencingToken() + ", reason=" + reason + "]";
    }
}
