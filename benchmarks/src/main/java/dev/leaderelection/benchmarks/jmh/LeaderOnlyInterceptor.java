package dev.leaderelection.benchmarks.jmh;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.NotLeaderException;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.annotation.LeaderOnly.OnFollower;
import java.lang.reflect.Method;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.Advisor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * A what-if, not the shipped guard: {@code @LeaderOnly} as a plain {@link MethodInterceptor} behind
 * a static annotation pointcut, the way Spring's own {@code @Async} and {@code @Transactional}
 * advisors work. The pointcut is decided once per method when the proxy is built; a call pays no
 * run-time match, no reflective advice call and no join point. Decides as the aspect does.
 */
public final class LeaderOnlyInterceptor implements MethodInterceptor {

    private final LeaderElector elector;

    public LeaderOnlyInterceptor(LeaderElector elector) {
        this.elector = elector;
    }

    /** The advisor: methods annotated {@code @LeaderOnly}, or any method of an annotated type. */
    public Advisor advisor() {
        ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(LeaderOnly.class, true))
                .union(AnnotationMatchingPointcut.forMethodAnnotation(LeaderOnly.class));
        DefaultPointcutAdvisor advisor = new DefaultPointcutAdvisor(pointcut, this);
        advisor.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
        return advisor;
    }

    @Override
    public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
        if (elector.isLeader()) {
            return invocation.proceed();
        }
        Method method = invocation.getMethod();
        if (skips(onFollower(invocation, method), method.getReturnType())) {
            return null;
        }
        throw new NotLeaderException(elector.election(), elector.leaderId());
    }

    private static boolean skips(OnFollower onFollower, Class<?> returnType) {
        return switch (onFollower) {
            case DEFAULT -> returnType == void.class;
            case SKIP -> !returnType.isPrimitive() || returnType == void.class;
            case THROW -> false;
        };
    }

    private static OnFollower onFollower(MethodInvocation invocation, Method method) {
        LeaderOnly annotation = AnnotatedElementUtils.findMergedAnnotation(method, LeaderOnly.class);
        Object target = invocation.getThis();
        if (annotation == null && target != null) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(target.getClass(), LeaderOnly.class);
        }
        return annotation != null ? annotation.onFollower() : OnFollower.DEFAULT;
    }
}
