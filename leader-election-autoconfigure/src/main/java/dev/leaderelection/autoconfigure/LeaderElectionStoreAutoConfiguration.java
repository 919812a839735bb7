package dev.leaderelection.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;

/**
 * Checks {@code leader.election.store} against the store modules on the classpath before any
 * store's auto-configuration runs; each store's auto-configuration then matches on {@link
 * ConditionalOnLeaderElectionStore}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "leader.election.enabled", matchIfMissing = true)
public final class LeaderElectionStoreAutoConfiguration {

    @Bean
    StoreSelection leaderElectionStoreSelection(Environment environment, ResourceLoader resourceLoader) {
        return new StoreSelection(
                environment.getProperty(StoreModules.PROPERTY), StoreModules.present(resourceLoader.getClassLoader()));
    }
}
