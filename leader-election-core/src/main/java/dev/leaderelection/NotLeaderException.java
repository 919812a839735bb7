package dev.leaderelection;

import org.jspecify.annotations.Nullable;

/** A call that only the leader may make reached an instance that is not leader. */
public class NotLeaderException extends IllegalStateException {

    private final String election;
    private final @Nullable String leaderId;

    public NotLeaderException(String election, @Nullable String leaderId) {
        super("This instance is not the leader of election '" + election + "'"
                + (leaderId != null ? "; the leader is '" + leaderId + "'" : "; no leader is known"));
        this.election = election;
        this.leaderId = leaderId;
    }

    /** The election name. */
    public String election() {
        return election;
    }

    /** The leader's instance id as last seen, or {@code null} if none is known. */
    public @Nullable String leaderId() {
        return leaderId;
    }
}
