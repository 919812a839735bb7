package dev.leaderelection.benchmarks.jmh;

import dev.leaderelection.ElectionState;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.aop.LeaderOnlyBeanPostProcessor;
import dev.leaderelection.aop.LeaderOnlyInterceptor;
import dev.leaderelection.benchmarks.Waits;
import java.time.Duration;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.Ordered;

/**
 * A Spring context as the starter builds it for {@code @LeaderOnly}: the shipped {@link
 * LeaderOnlyBeanPostProcessor} with its {@link LeaderOnlyInterceptor}, CGLIB class proxies and the
 * highest precedence (what {@code LeaderElectionAopAutoConfiguration} sets), and a real {@link
 * LeaseLeaderElector} settled as leader or follower on a {@link FixedLeaseStore}.
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

    private GuardFixture(FixedLeaseStore store, ElectionState role) {
        elector = new LeaseLeaderElector("jmh", "bench", store, TIMINGS, scheduler);
        elector.start();
        Waits.until("elector in state " + role, Duration.ofSeconds(10), () -> elector.state() == role);
        context.registerBean(LeaderElector.class, () -> elector);
        context.registerBean(LeaderOnlyBeanPostProcessor.class, () -> {
            LeaderOnlyBeanPostProcessor processor =
                    new LeaderOnlyBeanPostProcessor(new LeaderOnlyInterceptor(() -> elector));
            processor.setProxyTargetClass(true);
            processor.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return processor;
        });
        context.registerBean(GuardedWork.class);
        context.refresh();
        proxy = context.getBean(GuardedWork.class);
        if (!AopUtils.isCglibProxy(proxy)) {
            throw new IllegalStateException("GuardedWork is not proxied: " + proxy.getClass());
        }
    }

    /** A fixture whose elector leads. */
    public static GuardFixture onLeader() {
        return new GuardFixture(FixedLeaseStore.granting(), ElectionState.LEADER);
    }

    /** A fixture whose elector follows another instance. */
    public static GuardFixture onFollower() {
        return new GuardFixture(FixedLeaseStore.heldByAnother(), ElectionState.FOLLOWER);
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
}
