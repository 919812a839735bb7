package dev.leaderelection.aop;

import dev.leaderelection.UnknownElectionException;
import java.util.Set;

/** {@link dev.leaderelection.annotation.LeaderOnly} names an election the application does not take part in. */
public class UnknownLeaderOnlyElectionException extends UnknownElectionException {

    private final String method;

    UnknownLeaderOnlyElectionException(String method, String election, Set<String> knownElections) {
        super(
                "@LeaderOnly on %s names election '%s', which this application does not take part in; known elections: %s"
                        .formatted(method, election, String.join(", ", knownElections)),
                election,
                knownElections);
        this.method = method;
    }

    /** The guarded method, as {@code com.example.Invoicing.sendInvoices}. */
    public String method() {
        return method;
    }
}
