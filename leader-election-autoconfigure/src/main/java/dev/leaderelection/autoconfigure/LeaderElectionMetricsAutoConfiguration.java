package dev.leaderelection.autoconfigure;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.actuate.LeaderElectionMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Micrometer meters {@code leader.election.*}, bound to whatever registries the application has. */
@AutoConfiguration(
        after = LeaderElectionAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(LeaderElector.class)
public final class LeaderElectionMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    LeaderElectionMetrics leaderElectionMetrics(LeaderElector elector) {
        return new LeaderElectionMetrics(elector);
    }
}
