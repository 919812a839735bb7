package dev.leaderelection.aop;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.NotLeaderException;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.annotation.LeaderOnly.OnFollower;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.Supplier;
import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;
import org.aspectj.lang.reflect.MethodSignature;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Lets {@link LeaderOnly} methods run on the leader only; see the annotation for followers. Without
 * a {@link LeaderElector} (the election disabled, or no Redis to run it on) every instance counts as
 * a follower: guarded methods never run, and the first refused call logs a warning.
 */
@Aspect
public class LeaderOnlyAspect implements Ordered {

    private static final Logger log = LoggerFactory.getLogger(LeaderOnlyAspect.class);

    /** The election name that {@link NotLeaderException} names when there is no elector. */
    public static final String NO_ELECTION = "(none: no LeaderElector bean)";

    private final Supplier<@Nullable LeaderElector> electorSupplier;
    private volatile @Nullable Optional<LeaderElector> elector;

    /**
     * An aspect that looks the elector up on first use, so that it never forces early bean creation.
     * The supplier may answer {@code null}: then guarded methods never run.
     */
    public LeaderOnlyAspect(Supplier<@Nullable LeaderElector> elector) {
        this.electorSupplier = elector;
    }

    @Around(
            "@annotation(dev.leaderelection.annotation.LeaderOnly) || @within(dev.leaderelection.annotation.LeaderOnly)")
    public @Nullable Object guard(ProceedingJoinPoint call) throws Throwable {
        LeaderElector elector = elector().orElse(null);
        if (elector != null && elector.isLeader()) {
            return call.proceed();
        }
        Method method = AopUtils.getMostSpecificMethod(
                ((MethodSignature) call.getSignature()).getMethod(),
                call.getTarget().getClass());
        String election = elector != null ? elector.election() : NO_ELECTION;
        if (skips(onFollower(call, method), method.getReturnType())) {
            log.debug("Skipped {} on a follower of election '{}'", method, election);
            return null;
        }
        throw new NotLeaderException(election, elector != null ? elector.leaderId() : null);
    }

    private Optional<LeaderElector> elector() {
        Optional<LeaderElector> resolved = elector;
        if (resolved == null) {
            resolved = Optional.ofNullable(electorSupplier.get());
            elector = resolved;
            if (resolved.isEmpty()) {
                log.warn("@LeaderOnly methods will not run: there is no LeaderElector bean "
                        + "(leader.election.enabled=false, or no single RedisConnectionFactory)");
            }
        }
        return resolved;
    }

    /** Runs before other advice, so a follower never reaches transactions or retries. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    private static boolean skips(OnFollower onFollower, Class<?> returnType) {
        return switch (onFollower) {
            case DEFAULT -> returnType == void.class;
            case SKIP -> !returnType.isPrimitive() || returnType == void.class;
            case THROW -> false;
        };
    }

    private static OnFollower onFollower(ProceedingJoinPoint call, Method method) {
        LeaderOnly annotation = AnnotatedElementUtils.findMergedAnnotation(method, LeaderOnly.class);
        if (annotation == null) {
            annotation =
                    AnnotatedElementUtils.findMergedAnnotation(call.getTarget().getClass(), LeaderOnly.class);
        }
        return annotation != null ? annotation.onFollower() : OnFollower.DEFAULT;
    }
}
