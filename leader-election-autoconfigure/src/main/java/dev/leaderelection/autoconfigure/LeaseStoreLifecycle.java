package dev.leaderelection.autoconfigure;

import dev.leaderelection.store.LeaseStore;
import org.springframework.context.SmartLifecycle;

/**
 * Starts and stops the {@link LeaseStore} with the application context: after the connection
 * factories start and before the electors do, and in the reverse order on shutdown, so that a
 * store's own connections (such as Redis pub/sub) close while the connection factory still runs.
 * The context closes the store ({@link LeaseStore#close()}) when it destroys the store's bean.
 */
public class LeaseStoreLifecycle implements SmartLifecycle {

    /**
     * Below the electors ({@link LeaderElectionLifecycle#PHASE}) and the web server, above the
     * connection factories (phase 0).
     */
    public static final int PHASE = Integer.MAX_VALUE - 8192;

    private final LeaseStore store;
    private volatile boolean running;

    public LeaseStoreLifecycle(LeaseStore store) {
        this.store = store;
    }

    @Override
    public void start() {
        store.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        store.stop();
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
