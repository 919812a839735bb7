package dev.leaderelection;

import java.util.List;
import java.util.Set;

/** An election name that no elector of this application takes part in. */
public class UnknownElectionException extends IllegalArgumentException {

    private final String election;
    private final List<String> knownElections;

    public UnknownElectionException(String election, Set<String> knownElections) {
        this(
                "No election '" + election + "' here; known elections: " + String.join(", ", knownElections),
                election,
                knownElections);
    }

    /** For callers that say where the name came from; {@code message} should list the known elections. */
    protected UnknownElectionException(String message, String election, Set<String> knownElections) {
        super(message);
        this.election = election;
        this.knownElections = List.copyOf(knownElections);
    }

    /** The name that was asked for. */
    public String election() {
        return election;
    }

    /** The elections this application takes part in, the default one first. */
    public List<String> knownElections() {
        return knownElections;
    }
}
