package dev.leaderelection.benchmarks.jmh;

import dev.leaderelection.aop.LeaderOnlyAspect;
import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.interceptor.ExposeInvocationInterceptor;
import org.springframework.core.Ordered;

/**
 * A what-if, not the shipped guard: {@link LeaderOnlyAspect} itself, with the same pointcut, but
 * ordered just after Spring's {@link ExposeInvocationInterceptor} instead of before it. The shipped
 * aspect's {@code HIGHEST_PRECEDENCE} puts it first, where Spring's run-time pointcut match cannot
 * see the current invocation.
 */
@Aspect
public class ReorderedLeaderOnlyAspect implements Ordered {

    private final LeaderOnlyAspect guard;

    public ReorderedLeaderOnlyAspect(LeaderOnlyAspect guard) {
        this.guard = guard;
    }

    @Around(
            "@annotation(dev.leaderelection.annotation.LeaderOnly) || @within(dev.leaderelection.annotation.LeaderOnly)")
    public @Nullable Object guard(ProceedingJoinPoint call) throws Throwable {
        return guard.guard(call);
    }

    /** Right after {@link ExposeInvocationInterceptor} ({@code HIGHEST_PRECEDENCE + 1}). */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 2;
    }
}
