package dev.leaderelection.autoconfigure;

import dev.leaderelection.UnknownElectionException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/** Explains a name of an election the application does not take part in, such as in {@code @LeaderOnly}. */
@Order(Ordered.HIGHEST_PRECEDENCE)
class UnknownElectionFailureAnalyzer extends AbstractFailureAnalyzer<UnknownElectionException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, UnknownElectionException cause) {
        String action = "Name one of the known elections (%s), or add the election '%s' under '%selections.%s'."
                .formatted(
                        String.join(", ", cause.knownElections()),
                        cause.election(),
                        ElectionSettings.PREFIX,
                        cause.election());
        return new FailureAnalysis("Invalid leader election configuration: " + cause.getMessage(), action, cause);
    }
}
