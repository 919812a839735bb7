package dev.leaderelection.event;

import dev.leaderelection.LeaderElector;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEvent;

/**
 * The leader this instance knows of changed; published on every instance, the leader itself
 * included. A follower learns of a graceful hand-off from the store's grant announcement (on stores
 * that announce grants), within a round trip, and otherwise from its own reads. The source is the
 * {@link LeaderElector}.
 */
public class LeaderChangedEvent extends ApplicationEvent {

    private final @Nullable String leaderId;
    private final @Nullable Long fencingToken;

    public LeaderChangedEvent(LeaderElector source, @Nullable String leaderId, @Nullable Long fencingToken) {
        super(source);
        this.leaderId = leaderId;
        this.fencingToken = fencingToken;
    }

    /** The election name. */
    public String election() {
        return elector().election();
    }

    /** The leader's instance id, or {@code null} when none is known (released, or store unreachable). */
    public @Nullable String leaderId() {
        return leaderId;
    }

    /** The leader's fencing token, when known: this instance's own grant, or a grant announcement. */
    public @Nullable Long fencingToken() {
        return fencingToken;
    }

    /** Whether this instance is the leader named. */
    public boolean isSelf() {
        return elector().instanceId().equals(leaderId);
    }

    /** The elector that published the event. */
    public LeaderElector elector() {
        return (LeaderElector) getSource();
    }

    @Override
    public String toString() {
        return "LeaderChangedEvent[election=" + election() + ", leader=" + leaderId + ", fencingToken=" + fencingToken
                + "]";
    }
}
