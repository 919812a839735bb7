package dev.leaderelection.aop;

import dev.leaderelection.annotation.LeaderOnly;
import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/**
 * Puts a {@link LeaderOnlyInterceptor} in front of every bean that has {@link LeaderOnly} on its type
 * or on a method, ahead of any other advice (transactions, retries). It proxies beans itself, as
 * Spring's method validation does, so it needs neither AspectJ nor Spring Boot's AOP
 * auto-configuration.
 */
public class LeaderOnlyBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    public LeaderOnlyBeanPostProcessor(LeaderOnlyInterceptor interceptor) {
        Pointcut onType = new AnnotationMatchingPointcut(LeaderOnly.class, true);
        Pointcut onMethod = new AnnotationMatchingPointcut(null, LeaderOnly.class, true);
        this.advisor = new DefaultPointcutAdvisor(new ComposablePointcut(onType).union(onMethod), interceptor);
        setBeforeExistingAdvisors(true);
    }
}
