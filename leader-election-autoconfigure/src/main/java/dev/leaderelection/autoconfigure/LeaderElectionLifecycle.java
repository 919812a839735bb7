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
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Runs every elector with the application context and turns their transitions into application
 * events (each names its election). It starts after the lease store ({@link LeaseStoreLifecycle})
 * and the connection factories, and before the web server, and stops in the reverse order:
 * leadership is released while the store is still connected. The electors stop side by side, so
 * that many of them on a store that does not answer take one stop's time, not one each.
 */
public class LeaderElectionLifecycle implements SmartLifecycle {

    /** Above the connection factories (phase 0), below the web server's start and graceful stop. */
    public static final int PHASE = Integer.MAX_VALUE - 4096;

    private static final Logger log = LoggerFactory.getLogger(LeaderElectionLifecycle.class);

    private final LeaderElectors electors;
    private final Predicate<String> releaseOnShutdown;
    private volatile boolean running;

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
