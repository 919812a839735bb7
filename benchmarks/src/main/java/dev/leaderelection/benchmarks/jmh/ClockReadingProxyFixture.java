package dev.leaderelection.benchmarks.jmh;

import dev.leaderelection.annotation.LeaderOnly;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.Ordered;

/**
 * The floor under any fail-closed guard: {@link GuardedWork} proxied exactly as the starter proxies
 * it (CGLIB, an advisor on {@link LeaderOnly} methods, highest precedence), with advice that does
 * nothing but read {@link System#nanoTime()}, the one clock read a guard cannot do without.
 */
final class ClockReadingProxyFixture implements AutoCloseable {

    private final AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    private final GuardedWork proxy;

    ClockReadingProxyFixture() {
        context.registerBean(ClockReadingPostProcessor.class);
        context.registerBean(GuardedWork.class);
        context.refresh();
        proxy = context.getBean(GuardedWork.class);
        if (!AopUtils.isCglibProxy(proxy)) {
            throw new IllegalStateException("GuardedWork is not proxied: " + proxy.getClass());
        }
    }

    /** The bean behind the clock-reading proxy. */
    GuardedWork proxy() {
        return proxy;
    }

    @Override
    public void close() {
        context.close();
    }

    /** Proxies as {@code LeaderOnlyBeanPostProcessor} does, with the clock read as its only advice. */
    static final class ClockReadingPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

        ClockReadingPostProcessor() {
            this.advisor = new DefaultPointcutAdvisor(
                    new AnnotationMatchingPointcut(null, LeaderOnly.class, true),
                    (MethodInterceptor) ClockReadingPostProcessor::readClock);
            setBeforeExistingAdvisors(true);
            setProxyTargetClass(true);
            setOrder(Ordered.HIGHEST_PRECEDENCE);
        }

        private static Object readClock(MethodInvocation invocation) throws Throwable {
            // a comparison the JIT cannot drop keeps the clock read in the compiled code
            if (System.nanoTime() == Long.MIN_VALUE) {
                throw new IllegalStateException("the monotonic clock read Long.MIN_VALUE");
            }
            return invocation.proceed();
        }
    }
}
