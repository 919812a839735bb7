package dev.leaderelection.autoconfigure;

import dev.leaderelection.LeaderElectors;
import dev.leaderelection.actuate.LeaderEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The Actuator endpoint {@code leader}, when Actuator is present and the endpoint is exposed. */
@AutoConfiguration(after = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(LeaderElectors.class)
public final class LeaderElectionEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    LeaderEndpoint leaderEndpoint(LeaderElectors electors) {
        return new LeaderEndpoint(electors);
    }
}
