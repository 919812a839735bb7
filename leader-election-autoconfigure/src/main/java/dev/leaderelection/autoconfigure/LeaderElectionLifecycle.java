package dev.leaderelection.autoconfigure;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaderElectors;
import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.event.LeaderChangedEvent;
import dev.leaderelection.event.LeadershipGrantedEvent;
import dev.leaderelection.event.LeadershipRevokedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;

/**
 * Runs every elector with the application context and turns their transitions into application
 * events (each names its election). It is in the highest phase: it starts last, once the lease
 * store ({@link LeaseStoreLifecycle}), the connection factories and the web server run. As a bean
 * of a closing context it stops at the context's {@link ContextClosedEvent}, before the other
 * listeners of that event and before any lifecycle stops (the context looks its lifecycles up only
 * then); otherwise with the lifecycles, first. Leadership is thus the first thing a closing
 * application gives up: a successor is granted while this one still drains its requests, and the
 * lease is released while the store is still connected. A stop steps down as the engine
 * does (new guarded calls refused at once, the calls in flight and the {@link
 * dev.leaderelection.annotation.LeaderLifecycle} beans, which hold one, drained before the release,
 * bounded by the term's deadline). The electors stop side by side, so that many of them on a store
 * that does not answer take one stop's time, not one each.
 */
public class LeaderElectionLifecycle
        implements SmartLifecycle, ApplicationListener<ContextClosedEvent>, ApplicationContextAware, Ordered {

    /**
     * The highest phase: above the connection factories (phase 0) and the web server's start and
     * graceful stop ({@code Integer.MAX_VALUE - 2048} and {@code - 1024} in Spring Boot).
     */
    public static final int PHASE = Integer.MAX_VALUE;

    private static final Logger log = LoggerFactory.getLogger(LeaderElectionLifecycle.class);

    private final LeaderElectors electors;
    private final Predicate<String> releaseOnShutdown;
    private volatile boolean running;
    private @Nullable ApplicationContext context;

    /** Runs one elector; {@code releaseOnShutdown} says whether its stop releases the lease. */
    public LeaderElectionLifecycle(
            LeaderElector elector, ApplicationEventPublisher publisher, boolean releaseOnShutdown) {
        this(LeaderElectors.of(elector), publisher, election -> releaseOnShutdown);
    }

    /**
     * Runs every elector of {@code electors}; {@code releaseOnShutdown} answers, per election name,
     * whether its stop releases the lease.
     */
    public LeaderElectionLifecycle(
            LeaderElectors electors, ApplicationEventPublisher publisher, Predicate<String> releaseOnShutdown) {
        this.electors = electors;
        this.releaseOnShutdown = releaseOnShutdown;
        electors.all().forEach(elector -> elector.addListener(new EventPublishing(elector, publisher)));
    }

    @Override
    public void start() {
        electors.all().forEach(LeaderElector::start);
        running = true;
    }

    /** Steps down as soon as this bean's own context begins to close (a child context's close does not count). */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (running && context != null && event.getApplicationContext() == context) {
            stop();
        }
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.context = applicationContext;
    }

    /** Before every other listener of the context's closing. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void stop() {
        running = false;
        if (!electors.hasSeveral()) {
            LeaderElector elector = electors.defaultElector();
            elector.stop(releaseOnShutdown.test(elector.election()));
            return;
        }
        List<Thread> stopping = new ArrayList<>();
        for (LeaderElector elector : electors.all()) {
            Thread thread = new Thread(() -> stopLogged(elector), "leader-election-stop-" + elector.election());
            thread.setDaemon(true);
            thread.start();
            stopping.add(thread);
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                log.warn("Interrupted while the electors stop; the leases left behind expire in the store");
                return;
            }
        }
    }

    private void stopLogged(LeaderElector elector) {
        try {
            elector.stop(releaseOnShutdown.test(elector.election()));
        } catch (RuntimeException ex) {
            log.warn("Elector of election '{}' failed to stop cleanly", elector.election(), ex);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Publishes one elector's transitions as application events, its source that elector. */
    private record EventPublishing(LeaderElector elector, ApplicationEventPublisher publisher)
            implements LeadershipListener {

        @Override
        public void granted(Leadership leadership) {
            publisher.publishEvent(new LeadershipGrantedEvent(elector, leadership));
        }

        @Override
        public void revoked(Leadership leadership, RevocationReason reason) {
            publisher.publishEvent(new LeadershipRevokedEvent(elector, leadership, reason));
        }

        @Override
        public void leaderChanged(@Nullable String leaderId, @Nullable Long fencingToken) {
            publisher.publishEvent(new LeaderChangedEvent(elector, leaderId, fencingToken));
        }
    }
}
