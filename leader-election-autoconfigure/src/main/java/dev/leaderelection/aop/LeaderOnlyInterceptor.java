package dev.leaderelection.aop;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaderElectors;
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
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * Lets {@link LeaderOnly} methods run on the leader of their election only; see the annotation for
 * followers. On the leader a call is counted in flight ({@link LeaderElector#tryEnterGuarded()}), so
 * that a voluntary step-down waits for it before the lease is released. Without electors (the
 * election disabled, or no store to run it on) every instance counts as a follower: guarded
 * methods never run, and the first refused call logs a warning.
 *
 * <p>Each guarded method finds its elector once; the last one used is kept in a one-entry cache,
 * so a call that repeats the previous method costs one volatile read more than the elector's check.
 */
public class LeaderOnlyInterceptor implements MethodInterceptor {

    /** The election name that {@link NotLeaderException} names when there is no elector. */
    public static final String NO_ELECTION = "(none: no LeaderElector bean)";

    private static final Logger log = LoggerFactory.getLogger(LeaderOnlyInterceptor.class);

    private final Supplier<@Nullable LeaderElectors> electorsSupplier;
    private final Map<MethodClassKey, Guard> guards = new ConcurrentHashMap<>();
    private volatile @Nullable Optional<LeaderElectors> electors;
    private volatile @Nullable Guard last;

    /**
     * An interceptor of one election, that looks the elector up on first use, so that it never
     * forces early bean creation. The supplier may answer {@code null}: then guarded methods never
     * run.
     */
    public LeaderOnlyInterceptor(Supplier<@Nullable LeaderElector> elector) {
        this((ElectorsLookup) () -> {
            LeaderElector one = elector.get();
            return one != null ? LeaderElectors.of(one) : null;
        });
    }

    private LeaderOnlyInterceptor(ElectorsLookup electors) {
        this.electorsSupplier = electors;
    }

    /**
     * An interceptor of every election of {@code electors}, looked up on first use, so that it
     * never forces early bean creation. The supplier may answer {@code null}: then guarded methods
     * never run.
     */
    public static LeaderOnlyInterceptor forElections(Supplier<@Nullable LeaderElectors> electors) {
        return new LeaderOnlyInterceptor((ElectorsLookup) electors::get);
    }

    @Override
    public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
        Method method = invocation.getMethod();
        Object target = invocation.getThis();
        Class<?> targetClass = target != null ? target.getClass() : method.getDeclaringClass();
        Guard guard = last;
        if (guard == null || guard.method != method || guard.targetClass != targetClass) {
            guard = guard(method, targetClass);
            last = guard;
        }
        LeaderElector elector = guard.elector;
        if (elector != null && elector.tryEnterGuarded()) {
            try {
                return invocation.proceed();
            } finally {
                elector.exitGuarded();
            }
        }
        if (method.getDeclaringClass() == Object.class) {
            return invocation.proceed();
        }
        if (guard.skipsOnFollower) {
            log.debug("Skipped {} on a follower of election '{}'", method, guard.election);
            return null;
        }
        throw new NotLeaderException(guard.election, elector != null ? elector.leaderId() : null);
    }

    /** The electors, if there are any; looked up once. */
    Optional<LeaderElectors> electors() {
        Optional<LeaderElectors> resolved = electors;
        if (resolved == null) {
            resolved = Optional.ofNullable(electorsSupplier.get());
            electors = resolved;
            if (resolved.isEmpty()) {
                log.warn("@LeaderOnly methods will not run: there is no LeaderElector bean "
                        + "(leader.election.enabled=false, or no LeaseStore bean)");
            }
        }
        return resolved;
    }

    private Guard guard(Method method, Class<?> targetClass) {
        MethodClassKey key = new MethodClassKey(method, targetClass);
        Guard guard = guards.get(key);
        if (guard == null) {
            guard = resolve(method, targetClass);
            guards.put(key, guard);
        }
        return guard;
    }

    private Guard resolve(Method method, Class<?> targetClass) {
        Class<?> userClass = ClassUtils.getUserClass(targetClass);
        LeaderOnly annotation = annotation(method, userClass);
        String name = annotation != null ? annotation.election() : "";
        OnFollower onFollower = annotation != null ? annotation.onFollower() : OnFollower.DEFAULT;
        boolean skips = skips(
                onFollower, AopUtils.getMostSpecificMethod(method, userClass).getReturnType());
        LeaderElectors known = electors().orElse(null);
        if (known == null) {
            return new Guard(method, targetClass, null, NO_ELECTION, skips);
        }
        // an unknown name stops the application at startup; a bean made later still fails closed here
        LeaderElector elector = name.isEmpty() ? known.defaultElector() : known.get(name);
        return new Guard(method, targetClass, elector, elector.election(), skips);
    }

    /** The annotation that guards {@code method} of {@code targetClass}: the method's own, else the type's. */
    static @Nullable LeaderOnly annotation(Method method, Class<?> targetClass) {
        Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
        LeaderOnly annotation = AnnotatedElementUtils.findMergedAnnotation(specific, LeaderOnly.class);
        return annotation != null
                ? annotation
                : AnnotatedElementUtils.findMergedAnnotation(targetClass, LeaderOnly.class);
    }

    /** Whether a follower's call returns {@code null} (or nothing) instead of throwing. */
    private static boolean skips(OnFollower onFollower, Class<?> returnType) {
        return switch (onFollower) {
            case DEFAULT -> returnType == void.class;
            case SKIP -> !returnType.isPrimitive() || returnType == void.class;
            case THROW -> false;
        };
    }

    /** A guarded method of one target class, and the elector it asks. */
    private record Guard(
            Method method,
            Class<?> targetClass,
            @Nullable LeaderElector elector,
            String election,
            boolean skipsOnFollower) {}

    /** Tells the constructors apart: a supplier of all electors, not of one. */
    private interface ElectorsLookup extends Supplier<@Nullable LeaderElectors> {}
}
