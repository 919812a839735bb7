package dev.leaderelection.redis;

import dev.leaderelection.testing.redis.RedisServers;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the container-only compatibility suites where a Docker engine answers, and otherwise skips
 * them with one line on the console, once per run.
 */
final class DockerEngineCondition implements ExecutionCondition {

    static final String SKIPPED = "Valkey and DragonFly contract suites skipped: no Docker engine answers here. "
            + "They run through Testcontainers wherever one does (./mvnw verify -pl leader-election-redis -am "
            + "-Dtest='ValkeyLeaseStoreTests,DragonflyLeaseStoreTests' on a machine with Docker).";

    private static final AtomicBoolean TOLD = new AtomicBoolean();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (RedisServers.isDockerAvailable()) {
            return ConditionEvaluationResult.enabled("a Docker engine answers");
        }
        if (context.getTestMethod().isEmpty() && TOLD.compareAndSet(false, true)) {
            System.out.println(SKIPPED);
        }
        return ConditionEvaluationResult.disabled(SKIPPED);
    }
}
