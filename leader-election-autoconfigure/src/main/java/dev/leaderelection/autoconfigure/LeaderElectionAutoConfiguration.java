package dev.leaderelection.autoconfigure;

import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaderElectors;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.store.LeaseStore;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * The electors of this application's elections, on whatever single {@link LeaseStore} the context
 * has, created by the store's {@link LeaderElectorFactory} if it contributes one: the default
 * election's elector is the {@link LeaderElector} bean, and it and one elector per further election
 * ({@code leader.election.elections.<name>}) make the {@link LeaderElectors} bean. All share the one
 * store and the one {@link ElectionScheduler}. The store and the electors start and stop with the
 * context, and the electors' transitions become application events.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "leader.election.enabled", matchIfMissing = true)
@ConditionalOnBean(LeaseStore.class)
@EnableConfigurationProperties(LeaderElectionProperties.class)
public final class LeaderElectionAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LeaderElectionAutoConfiguration.class);

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
        ElectionSettings.checkFurtherElectionNames(properties, environment);
        ElectionSettings settings = ElectionSettings.of(properties, environment, store);
        return factory.create(settings.name(), settings.instanceId(), settings.timings(), scheduler);
    }

    /**
     * The default election's elector (the {@link LeaderElector} bean, the application's own if it
     * has one) and one elector per further election, made by the same factory with the same
     * instance id. A further election that the application's own elector already runs is left to it.
     */
    @Bean
    @ConditionalOnMissingBean
    LeaderElectors leaderElectors(
            LeaderElector leaderElector,
            LeaderElectorFactory factory,
            LeaseStore store,
            ElectionScheduler scheduler,
            LeaderElectionProperties properties,
            Environment environment) {
        ElectionSettings.checkFurtherElectionNames(properties, environment);
        List<LeaderElector> further = new ArrayList<>();
        for (String name : properties.getElections().keySet()) {
            if (name.equals(leaderElector.election())) {
                log.warn(
                        "leader.election.elections.{} is ignored: the application's own LeaderElector bean runs election '{}'",
                        name,
                        name);
                continue;
            }
            ElectionSettings settings = ElectionSettings.named(name, leaderElector.instanceId(), properties, store);
            further.add(factory.create(settings.name(), settings.instanceId(), settings.timings(), scheduler));
        }
        return new LeaderElectors(leaderElector, further);
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
            LeaderElectors electors, ApplicationEventPublisher publisher, LeaderElectionProperties properties) {
        return new LeaderElectionLifecycle(
                electors, publisher, election -> ElectionSettings.releaseOnShutdown(properties, election));
    }
}
