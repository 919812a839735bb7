package dev.leaderelection.aop;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaderElectors;
import dev.leaderelection.annotation.LeaderLifecycle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.NameMatchMethodPointcut;
import org.springframework.aop.support.annotation.AnnotationClassFilter;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Makes {@link LeaderLifecycle} work. The context's lifecycle processor starts every {@link
 * SmartLifecycle} whose {@code isAutoStartup()} answers {@code true}, and only the bean itself can
 * answer that; so this post-processor proxies each annotated bean (adding to an existing proxy when
 * there is one, as {@code @LeaderOnly} makes) with advice that answers {@code false} there, and
 * leaves every other method to the bean. The proxy is a subclass of the bean's class unless that
 * is final: then it implements the bean's interfaces only. The bean is still stopped by the context
 * on shutdown when it runs, as any lifecycle is.
 *
 * <p>Once the singletons exist, each annotated bean is handed to its election's elector (a {@link
 * LeaderScopedLifecycle}); the electors start later, with the context's lifecycle, so no grant is
 * missed. A name that is not one of the application's elections fails startup, and so does the
 * annotation on a bean that is not a {@link SmartLifecycle}.
 */
public class LeaderLifecycleBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
        implements SmartInitializingSingleton, DisposableBean {

    private final Supplier<@Nullable LeaderElectors> electors;
    private final List<Annotated> pending = new CopyOnWriteArrayList<>();
    private final List<LeaderScopedLifecycle> attached = new CopyOnWriteArrayList<>();
    private volatile boolean singletonsInstantiated;

    public LeaderLifecycleBeanPostProcessor(Supplier<@Nullable LeaderElectors> electors) {
        this.electors = electors;
        NameMatchMethodPointcut isAutoStartup = new NameMatchMethodPointcut();
        isAutoStartup.setMappedName("isAutoStartup");
        isAutoStartup.setClassFilter(new AnnotationClassFilter(LeaderLifecycle.class, true));
        this.advisor = new DefaultPointcutAdvisor(isAutoStartup, (MethodInterceptor) invocation -> false);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        LeaderLifecycle annotation = AnnotatedElementUtils.findMergedAnnotation(targetClass, LeaderLifecycle.class);
        if (annotation == null) {
            return bean;
        }
        if (!(bean instanceof SmartLifecycle)) {
            throw new BeanInitializationException("@LeaderLifecycle on bean '" + beanName + "' of "
                    + targetClass.getName() + ", which is not a SmartLifecycle: implement SmartLifecycle, "
                    + "or guard its methods with @LeaderOnly instead");
        }
        Object proxied = super.postProcessAfterInitialization(bean, beanName);
        pending.add(new Annotated(beanName, (SmartLifecycle) proxied, annotation.election()));
        if (singletonsInstantiated) {
            attachPending();
        }
        return proxied;
    }

    @Override
    protected boolean isEligible(Class<?> targetClass) {
        return AnnotatedElementUtils.hasAnnotation(targetClass, LeaderLifecycle.class);
    }

    @Override
    public void afterSingletonsInstantiated() {
        singletonsInstantiated = true;
        attachPending();
    }

    private void attachPending() {
        List<Annotated> beans = List.copyOf(pending);
        pending.removeAll(beans);
        LeaderElectors all = electors.get();
        if (all == null) {
            return; // no election: the beans never start, as guarded methods never run
        }
        for (Annotated annotated : beans) {
            LeaderElector elector = annotated.election().isEmpty()
                    ? all.defaultElector()
                    : all.find(annotated.election())
                            .orElseThrow(() -> new BeanInitializationException("@LeaderLifecycle(election = \""
                                    + annotated.election() + "\") on bean '" + annotated.beanName()
                                    + "' names no election of this application; known: " + all.names()));
            LeaderScopedLifecycle scoped = new LeaderScopedLifecycle(annotated.beanName(), annotated.bean(), elector);
            attached.add(scoped);
            scoped.attach();
        }
    }

    @Override
    public void destroy() {
        attached.forEach(LeaderScopedLifecycle::close);
    }

    private record Annotated(String beanName, SmartLifecycle bean, String election) {}
}
