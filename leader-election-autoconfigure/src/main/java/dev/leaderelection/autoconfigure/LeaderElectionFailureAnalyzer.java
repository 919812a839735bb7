package dev.leaderelection.autoconfigure;

import java.util.stream.Collectors;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/** Explains invalid {@code leader.election.*} configuration at startup. */
@Order(Ordered.HIGHEST_PRECEDENCE)
class LeaderElectionFailureAnalyzer extends AbstractFailureAnalyzer<InvalidLeaderElectionPropertiesException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidLeaderElectionPropertiesException cause) {
        String properties =
                cause.properties().stream().map(name -> "'" + name + "'").collect(Collectors.joining(", "));
        String action = cause.properties().size() == 1
                ? "Review the value of the property " + properties + " in your configuration."
                : "Review the values of the properties " + properties + " in your configuration.";
        return new FailureAnalysis("Invalid leader election configuration: " + cause.getMessage(), action, cause);
    }
}
