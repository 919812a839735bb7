package dev.leaderelection.aop;

import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.event.LeadershipRevokedEvent;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcher;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/**
 * Puts a {@link LeaderOnlyInterceptor} in front of every bean that has {@link LeaderOnly} on its type
 * or on a method, ahead of any other advice (transactions, retries). It proxies beans itself, as
 * Spring's method validation does, so it needs neither AspectJ nor Spring Boot's AOP
 * auto-configuration.
 *
 * <p>{@link LeaderOnly} on a type leaves out the methods that take a {@link LeadershipRevokedEvent}:
 * the revocation reaches a bean that is no longer leader, and guarding its listener would swallow it.
 */
public class LeaderOnlyBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

    public LeaderOnlyBeanPostProcessor(LeaderOnlyInterceptor interceptor) {
        Pointcut onType = new ComposablePointcut(new AnnotationMatchingPointcut(LeaderOnly.class, true))
                .intersection(new NotARevocationListener());
        Pointcut onMethod = new AnnotationMatchingPointcut(null, LeaderOnly.class, true);
        this.advisor = new DefaultPointcutAdvisor(new ComposablePointcut(onType).union(onMethod), interceptor);
        setBeforeExistingAdvisors(true);
    }

    private static final class NotARevocationListener extends StaticMethodMatcher {
        @Override
        public boolean matches(Method method, Class<?> targetClass) {
            return Arrays.stream(method.getParameterTypes()).noneMatch(LeadershipRevokedEvent.class::isAssignableFrom);
        }
    }
}
