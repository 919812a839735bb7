package dev.leaderelection.benchmarks.jmh;

import dev.leaderelection.ElectionState;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.aop.LeaderOnlyAspect;
import dev.leaderelection.benchmarks.Waits;
import java.time.Duration;
import org.springframework.aop.Advisor;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.EnableAspectJAutoProxy;

/**
 * A Spring context as the starter builds it for {@code @LeaderOnly}: AspectJ auto-proxying with
 * CGLIB class proxies (Spring Boot's default), the guard, and a real {@link LeaseLeaderElector}
 * settled as leader or follower on a {@link FixedLeaseStore}. The guard is the shipped {@link
 * LeaderOnlyAspect} unless a what-if {@link Guard} is asked for.
 */
public final class GuardFixture implements AutoCloseable {

    /** Long enough that no renewal or deadline falls inside a benchmark. */
    private static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(Duration.ofHours(1))
            .renewInterval(Duration.ofMinutes(30))
            .build();

    private final ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, "jmh-election-");
    private final LeaseLeaderElector elector;
    private final AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    private final GuardedWork proxy;

    /** Which guard the context holds. */
    public enum Guard {
        /** The shipped {@link LeaderOnlyAspect}, as the starter registers it. */
        SHIPPED_ASPECT,
        /** What-if: the same aspect ordered after Spring's invocation exposure. */
        REORDERED_ASPECT,
        /** What-if: a method interceptor behind a static annotation pointcut. */
        INTERCEPTOR
    }

    private GuardFixture(FixedLeaseStore store, ElectionState role, Guard guard) {
        elector = new LeaseLeaderElector("jmh", "bench", store, TIMINGS, scheduler);
        elector.start();
        Waits.until("elector in state " + role, Duration.ofSeconds(10), () -> elector.state() == role);
        context.registerBean(LeaderElector.class, () -> elector);
        switch (guard) {
            case SHIPPED_ASPECT ->
                context.registerBean(LeaderOnlyAspect.class, () -> new LeaderOnlyAspect(() -> elector));
            case REORDERED_ASPECT ->
                context.registerBean(
                        ReorderedLeaderOnlyAspect.class,
                        () -> new ReorderedLeaderOnlyAspect(new LeaderOnlyAspect(() -> elector)));
            case INTERCEPTOR -> context.registerBean(Advisor.class, () -> new LeaderOnlyInterceptor(elector).advisor());
        }
        context.register(AopConfiguration.class);
        context.registerBean(GuardedWork.class);
        context.refresh();
        proxy = context.getBean(GuardedWork.class);
        if (!AopUtils.isCglibProxy(proxy)) {
            throw new IllegalStateException("GuardedWork is not proxied: " + proxy.getClass());
        }
    }

    /** A fixture whose elector leads. */
    public static GuardFixture onLeader(Guard guard) {
        return new GuardFixture(FixedLeaseStore.granting(), ElectionState.LEADER, guard);
    }

    /** A fixture whose elector follows another instance. */
    public static GuardFixture onFollower(Guard guard) {
        return new GuardFixture(FixedLeaseStore.heldByAnother(), ElectionState.FOLLOWER, guard);
    }

    /** The guarded bean, as other beans get it injected: the proxy. */
    public GuardedWork proxy() {
        return proxy;
    }

    /** The elector behind the guard. */
    public LeaderElector elector() {
        return elector;
    }

    @Override
    public void close() {
        context.close();
        elector.stop();
        scheduler.close();
    }

    /** What {@code spring.aop.proxy-target-class=true} (Spring Boot's default) turns on. */
    @Configuration(proxyBeanMethods = false)
    @EnableAspectJAutoProxy(proxyTargetClass = true)
    static class AopConfiguration {}
}
