package dev.leaderelection.actuate;

import dev.leaderelection.ElectionState;
import dev.leaderelection.ElectionStatus;
import dev.leaderelection.LeaderElector;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * UP while the election runs, whether this instance leads or follows; DOWN while it stands by
 * because the store cannot be reached; UNKNOWN while stopped. A follower is healthy: restarting it
 * would not help, so keep this out of liveness checks.
 */
public class LeaderElectionHealthIndicator extends AbstractHealthIndicator {

    private final LeaderElector elector;

    public LeaderElectionHealthIndicator(LeaderElector elector) {
        super("Leader election health check failed");
        this.elector = elector;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        ElectionStatus status = elector.status();
        if (status.state() == ElectionState.STANDBY) {
            builder.down();
        } else if (status.state() == ElectionState.STOPPED) {
            builder.unknown();
        } else {
            builder.up();
        }
        builder.withDetail("election", status.election())
                .withDetail("role", status.state().name());
        if (status.leaderId() != null) {
            builder.withDetail("leaderId", status.leaderId());
        }
        if (status.lastError() != null) {
            builder.withDetail("lastError", status.lastError());
        }
    }
}
