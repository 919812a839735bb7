package dev.leaderelection.autoconfigure;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.actuate.LeaderElectionHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/** The health contributor {@code leaderElection}; switch it off with {@code management.health.leader-election.enabled}. */
@AutoConfiguration(after = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(LeaderElector.class)
@ConditionalOnEnabledHealthIndicator("leader-election")
public final class LeaderElectionHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "leaderElectionHealthIndicator")
    LeaderElectionHealthIndicator leaderElectionHealthIndicator(LeaderElector elector) {
        return new LeaderElectionHealthIndicator(elector);
    }
}
