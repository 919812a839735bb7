package dev.leaderelection.autoconfigure;

import dev.leaderelection.LeaderElectors;
import dev.leaderelection.actuate.LeaderElectionMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Micrometer meters {@code leader.election.*} of every elector, bound to whatever registries the application has. */
@AutoConfiguration(
        after = LeaderElectionAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(LeaderElectors.class)
public final class LeaderElectionMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    LeaderElectionMetrics leaderElectionMetrics(LeaderElectors electors) {
        return new LeaderElectionMetrics(electors);
    }
}
