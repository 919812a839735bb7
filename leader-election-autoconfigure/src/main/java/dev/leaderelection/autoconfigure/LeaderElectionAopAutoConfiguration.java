package dev.leaderelection.autoconfigure;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.aop.LeaderOnlyAspect;
import org.aspectj.lang.annotation.Aspect;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The aspect that makes {@link dev.leaderelection.annotation.LeaderOnly} work. It is there even
 * without an elector, so that guarded methods fail closed: they never run.
 */
@AutoConfiguration(after = LeaderElectionAutoConfiguration.class)
@ConditionalOnClass(Aspect.class)
public final class LeaderElectionAopAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    LeaderOnlyAspect leaderOnlyAspect(ObjectProvider<LeaderElector> elector) {
        return new LeaderOnlyAspect(elector::getIfUnique);
    }
}
