package dev.leaderelection.aop;

import dev.leaderelection.LeaderElectors;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.event.LeadershipRevokedEvent;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.aop.MethodMatcher;
import org.springframework.aop.Pointcut;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcher;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Puts a {@link LeaderOnlyInterceptor} in front of every bean that has {@link LeaderOnly} on its type
 * or on a method, ahead of any other advice (transactions, retries). It proxies beans itself, as
 * Spring's method validation does, so it needs neither AspectJ nor Spring Boot's AOP
 * auto-configuration.
 *
 * <p>{@link LeaderOnly} on a type leaves out the methods that take a {@link LeadershipRevokedEvent}:
 * the revocation reaches a bean that is no longer leader, and guarding its listener would swallow it.
 *
 * <p>Once the singletons exist, every {@link LeaderOnly#election()} of a proxied bean must name one
 * of the application's elections; otherwise startup fails with {@link
 * UnknownLeaderOnlyElectionException}. A bean made later is checked when it is proxied.
 */
public class LeaderOnlyBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
        implements SmartInitializingSingleton {

    private final LeaderOnlyInterceptor interceptor;
    private final Pointcut pointcut;
    private final List<GuardedMethod> unchecked = new CopyOnWriteArrayList<>();
    private volatile boolean singletonsInstantiated;

    public LeaderOnlyBeanPostProcessor(LeaderOnlyInterceptor interceptor) {
        Pointcut onType = new ComposablePointcut(new AnnotationMatchingPointcut(LeaderOnly.class, true))
                .intersection(new NotARevocationListener());
        Pointcut onMethod = new AnnotationMatchingPointcut(null, LeaderOnly.class, true);
        this.interceptor = interceptor;
        this.pointcut = new ComposablePointcut(onType).union(onMethod);
        this.advisor = new DefaultPointcutAdvisor(pointcut, interceptor);
        setBeforeExistingAdvisors(true);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Object result = super.postProcessAfterInitialization(bean, beanName);
        if (isEligible(bean, beanName)) {
            recordNamedElections(AopUtils.getTargetClass(bean));
            if (singletonsInstantiated) {
                checkElections();
            }
        }
        return result;
    }

    @Override
    public void afterSingletonsInstantiated() {
        singletonsInstantiated = true;
        checkElections();
    }

    private void recordNamedElections(Class<?> beanClass) {
        Class<?> targetClass = ClassUtils.getUserClass(beanClass);
        MethodMatcher matcher = pointcut.getMethodMatcher();
        for (Method method :
                ReflectionUtils.getUniqueDeclaredMethods(targetClass, ReflectionUtils.USER_DECLARED_METHODS)) {
            if (!matcher.matches(method, targetClass)) {
                continue;
            }
            LeaderOnly annotation = LeaderOnlyInterceptor.annotation(method, targetClass);
            if (annotation != null && !annotation.election().isEmpty()) {
                unchecked.add(new GuardedMethod(
                        ClassUtils.getQualifiedMethodName(method, targetClass), annotation.election()));
            }
        }
    }

    /** Checks the recorded names against the electors; with none, guarded methods fail closed anyway. */
    private void checkElections() {
        if (unchecked.isEmpty()) {
            return;
        }
        LeaderElectors electors = interceptor.electors().orElse(null);
        List<GuardedMethod> recorded = List.copyOf(unchecked);
        unchecked.removeAll(recorded);
        if (electors == null) {
            return;
        }
        for (GuardedMethod guarded : recorded) {
            if (electors.find(guarded.election()).isEmpty()) {
                throw new UnknownLeaderOnlyElectionException(guarded.method(), guarded.election(), electors.names());
            }
        }
    }

    private record GuardedMethod(String method, String election) {}

    private static final class NotARevocationListener extends StaticMethodMatcher {
        @Override
        public boolean matches(Method method, Class<?> targetClass) {
            return Arrays.stream(method.getParameterTypes()).noneMatch(LeadershipRevokedEvent.class::isAssignableFrom);
        }
    }
}
