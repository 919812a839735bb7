package dev.leaderelection.autoconfigure;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.event.LeadershipGrantedEvent;
import dev.leaderelection.event.LeadershipRevokedEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the elector with the application context and turns its transitions into application
 * events. It starts after the lease store ({@link LeaseStoreLifecycle}) and the connection
 * factories, and before the web server, and stops in the reverse order: leadership is released
 * while the store is still connected.
 */
public class LeaderElectionLifecycle implements SmartLifecycle {

    /** Above the connection factories (phase 0), below the web server's start and graceful stop. */
    public static final int PHASE = Integer.MAX_VALUE - 4096;

    private final LeaderElector elector;
    private final boolean releaseOnShutdown;
    private volatile boolean running;

    public LeaderElectionLifecycle(
            LeaderElector elector, ApplicationEventPublisher publisher, boolean releaseOnShutdown) {
        this.elector = elector;
        this.releaseOnShutdown = releaseOnShutdown;
        elector.addListener(new LeadershipListener() {
            @Override
            public void granted(Leadership leadership) {
                publisher.publishEvent(new LeadershipGrantedEvent(elector, leadership));
            }

            @Override
            public void revoked(Leadership leadership, RevocationReason reason) {
                publisher.publishEvent(new LeadershipRevokedEvent(elector, leadership, reason));
            }
        });
    }

    @Override
    public void start() {
        elector.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        elector.stop(releaseOnShutdown);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
