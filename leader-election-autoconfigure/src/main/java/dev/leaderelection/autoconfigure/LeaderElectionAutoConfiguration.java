package dev.leaderelection.autoconfigure;

import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.store.LeaseStore;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.core.env.Environment;

/**
 * The elector of this application's election, on whatever single {@link LeaseStore} the context
 * has, created by the store's {@link LeaderElectorFactory} if it contributes one; the store and the
 * elector start and stop with the context, and the elector's transitions become application events.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "leader.election.enabled", matchIfMissing = true)
@ConditionalOnBean(LeaseStore.class)
@EnableConfigurationProperties(LeaderElectionProperties.class)
public final class LeaderElectionAutoConfiguration {

    /** Enough for hundreds of electors: their tasks are short and store calls never block. */
    private static final int SCHEDULER_THREADS = 2;

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(ElectionScheduler.class)
    ThreadPoolElectionScheduler leaderElectionScheduler() {
        return new ThreadPoolElectionScheduler(SCHEDULER_THREADS, "leader-election-");
    }

    @Bean
    @ConditionalOnMissingBean
    LeaderElectorFactory leaderElectorFactory(LeaseStore store) {
        return (election, instanceId, timings, scheduler) ->
                new LeaseLeaderElector(election, instanceId, store, timings, scheduler);
    }

    @Bean
    @ConditionalOnMissingBean(LeaderElector.class)
    LeaseLeaderElector leaderElector(
            LeaderElectorFactory factory,
            LeaseStore store,
            ElectionScheduler scheduler,
            LeaderElectionProperties properties,
            Environment environment) {
        ElectionSettings settings = ElectionSettings.of(properties, environment, store);
        return factory.create(settings.name(), settings.instanceId(), settings.timings(), scheduler);
    }

    @Bean
    @ConditionalOnMissingBean
    LeaseStoreLifecycle leaseStoreLifecycle(LeaseStore store) {
        return new LeaseStoreLifecycle(store);
    }

    /**
     * Static and by the context's own name, so the context picks it up before any listener; an
     * application that defines its own multicaster keeps it.
     */
    @Bean(AbstractApplicationContext.APPLICATION_EVENT_MULTICASTER_BEAN_NAME)
    @ConditionalOnMissingBean(name = AbstractApplicationContext.APPLICATION_EVENT_MULTICASTER_BEAN_NAME)
    static LeadershipEventMulticaster applicationEventMulticaster(BeanFactory beanFactory) {
        return new LeadershipEventMulticaster(beanFactory);
    }

    @Bean
    @ConditionalOnMissingBean
    LeaderElectionLifecycle leaderElectionLifecycle(
            LeaderElector elector, ApplicationEventPublisher publisher, LeaderElectionProperties properties) {
        return new LeaderElectionLifecycle(elector, publisher, properties.isReleaseOnShutdown());
    }
}
