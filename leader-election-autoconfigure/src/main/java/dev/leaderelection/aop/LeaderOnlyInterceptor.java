package dev.leaderelection.aop;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.NotLeaderException;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.annotation.LeaderOnly.OnFollower;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Lets {@link LeaderOnly} methods run on the leader only; see the annotation for followers. On the
 * leader a call is counted in flight ({@link LeaderElector#tryEnterGuarded()}), so that a voluntary
 * step-down waits for it before the lease is released. Without a {@link LeaderElector}
 * (the election disabled, or no Redis to run it on) every instance counts as a follower: guarded
 * methods never run, and the first refused call logs a warning.
 */
public class LeaderOnlyInterceptor implements MethodInterceptor {

    /** The election name that {@link NotLeaderException} names when there is no elector. */
    public static final String NO_ELECTION = "(none: no LeaderElector bean)";

    private static final Logger log = LoggerFactory.getLogger(LeaderOnlyInterceptor.class);

    private final Supplier<@Nullable LeaderElector> electorSupplier;
    private final Map<Method, Boolean> skipsOnFollower = new ConcurrentHashMap<>();
    private volatile @Nullable Optional<LeaderElector> elector;

    /**
     * An interceptor that looks the elector up on first use, so that it never forces early bean
     * creation. The supplier may answer {@code null}: then guarded methods never run.
     */
    public LeaderOnlyInterceptor(Supplier<@Nullable LeaderElector> elector) {
        this.electorSupplier = elector;
    }

    @Override
    public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
        LeaderElector leaderElector = elector().orElse(null);
        if (leaderElector != null && leaderElector.tryEnterGuarded()) {
            try {
                return invocation.proceed();
            } finally {
                leaderElector.exitGuarded();
            }
        }
        if (invocation.getMethod().getDeclaringClass() == Object.class) {
            return invocation.proceed();
        }
        Method method = invocation.getMethod();
        String election = leaderElector != null ? leaderElector.election() : NO_ELECTION;
        if (skipsOnFollower.computeIfAbsent(method, ignored -> skips(invocation))) {
            log.debug("Skipped {} on a follower of election '{}'", method, election);
            return null;
        }
        throw new NotLeaderException(election, leaderElector != null ? leaderElector.leaderId() : null);
    }

    private Optional<LeaderElector> elector() {
        Optional<LeaderElector> resolved = elector;
        if (resolved == null) {
            resolved = Optional.ofNullable(electorSupplier.get());
            elector = resolved;
            if (resolved.isEmpty()) {
                log.warn("@LeaderOnly methods will not run: there is no LeaderElector bean "
                        + "(leader.election.enabled=false, or no LeaseStore bean)");
            }
        }
        return resolved;
    }

    /** Whether a follower's call returns {@code null} (or nothing) instead of throwing. */
    private static boolean skips(MethodInvocation invocation) {
        Object target = invocation.getThis();
        Class<?> targetClass = target != null
                ? AopUtils.getTargetClass(target)
                : invocation.getMethod().getDeclaringClass();
        Method method = AopUtils.getMostSpecificMethod(invocation.getMethod(), targetClass);
        LeaderOnly annotation = AnnotatedElementUtils.findMergedAnnotation(method, LeaderOnly.class);
        if (annotation == null) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(targetClass, LeaderOnly.class);
        }
        OnFollower onFollower = annotation != null ? annotation.onFollower() : OnFollower.DEFAULT;
        Class<?> returnType = method.getReturnType();
        return switch (onFollower) {
            case DEFAULT -> returnType == void.class;
            case SKIP -> !returnType.isPrimitive() || returnType == void.class;
            case THROW -> false;
        };
    }
}
