package dev.leaderelection.aop;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.NotLeaderException;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.annotation.LeaderOnly.OnFollower;
import java.lang.reflect.Method;
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

/** Lets {@link LeaderOnly} methods run on the leader only; see the annotation for followers. */
@Aspect
public class LeaderOnlyAspect implements Ordered {

    private static final Logger log = LoggerFactory.getLogger(LeaderOnlyAspect.class);

    private final Supplier<LeaderElector> electorSupplier;
    private volatile @Nullable LeaderElector elector;

    /** An aspect that looks the elector up on first use, so that it never forces early bean creation. */
    public LeaderOnlyAspect(Supplier<LeaderElector> elector) {
        this.electorSupplier = elector;
    }

    @Around(
            "@annotation(dev.leaderelection.annotation.LeaderOnly) || @within(dev.leaderelection.annotation.LeaderOnly)")
    public @Nullable Object guard(ProceedingJoinPoint call) throws Throwable {
        LeaderElector elector = elector();
        if (elector.isLeader()) {
            return call.proceed();
        }
        Method method = AopUtils.getMostSpecificMethod(
                ((MethodSignature) call.getSignature()).getMethod(),
                call.getTarget().getClass());
        if (skips(onFollower(call, method), method.getReturnType())) {
            log.debug("Skipped {} on a follower of election '{}'", method, elector.election());
            return null;
        }
        throw new NotLeaderException(elector.election(), elector.leaderId());
    }

    private LeaderElector elector() {
        LeaderElector resolved = elector;
        if (resolved == null) {
            resolved = electorSupplier.get();
            elector = resolved;
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
