package dev.leaderelection.autoconfigure;

import dev.leaderelection.LeaderElectors;
import dev.leaderelection.aop.LeaderLifecycleBeanPostProcessor;
import dev.leaderelection.aop.LeaderOnlyBeanPostProcessor;
import dev.leaderelection.aop.LeaderOnlyInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Makes {@link dev.leaderelection.annotation.LeaderOnly} and {@link
 * dev.leaderelection.annotation.LeaderLifecycle} work. The guard is there even without an
 * elector, so that guarded methods fail closed: they never run.
 */
@AutoConfiguration(after = LeaderElectionAutoConfiguration.class)
public final class LeaderElectionAopAutoConfiguration {

    /**
     * Static, as bean post-processors must be; finds the electors once the singletons exist (to check
     * the elections that {@code @LeaderOnly} names) or on the first guarded call.
     */
    @Bean
    @ConditionalOnMissingBean
    static LeaderOnlyBeanPostProcessor leaderOnlyBeanPostProcessor(
            ObjectProvider<LeaderElectors> electors, Environment environment) {
        LeaderOnlyBeanPostProcessor processor =
                new LeaderOnlyBeanPostProcessor(LeaderOnlyInterceptor.forElections(electors::getIfUnique));
        processor.setProxyTargetClass(environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true));
        // before @Scheduled's post-processor takes the bean, so scheduled calls are guarded too
        processor.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return processor;
    }

    /**
     * Static, as bean post-processors must be; hands each {@code @LeaderLifecycle} bean to its
     * elector once the singletons exist. Without electors such beans never start.
     */
    @Bean
    @ConditionalOnMissingBean
    static LeaderLifecycleBeanPostProcessor leaderLifecycleBeanPostProcessor(
            ObjectProvider<LeaderElectors> electors, Environment environment) {
        LeaderLifecycleBeanPostProcessor processor = new LeaderLifecycleBeanPostProcessor(electors::getIfUnique);
        processor.setProxyTargetClass(environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true));
        return processor;
    }
}
