package dev.leaderelection.autoconfigure;

import dev.leaderelection.LeaderElectors;
import dev.leaderelection.actuate.LeaderElectionHealthIndicator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The health contributor {@code leaderElection}: the plain indicator of the one election, or, with
 * further elections ({@code leader.election.elections}), a composite with one indicator per election
 * name. Switch it off with {@code management.health.leader-election.enabled}.
 */
@AutoConfiguration(after = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(LeaderElectors.class)
@ConditionalOnEnabledHealthIndicator("leader-election")
public final class LeaderElectionHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "leaderElectionHealthIndicator")
    @ConditionalOnFurtherElections(false)
    LeaderElectionHealthIndicator leaderElectionHealthIndicator(LeaderElectors electors) {
        return new LeaderElectionHealthIndicator(electors.defaultElector());
    }

    /** Named so that the contributor is {@code leaderElection}, as the single indicator is. */
    @Bean
    @ConditionalOnMissingBean(name = "leaderElectionHealthContributor")
    @ConditionalOnFurtherElections
    CompositeHealthContributor leaderElectionHealthContributor(LeaderElectors electors) {
        Map<String, LeaderElectionHealthIndicator> indicators = new LinkedHashMap<>();
        electors.all()
                .forEach(elector -> indicators.put(elector.election(), new LeaderElectionHealthIndicator(elector)));
        return CompositeHealthContributor.fromMap(indicators);
    }
}
