package dev.leaderelection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The listeners of one elector; a listener that throws anything is logged and the others still hear. */
final class Listeners implements LeadershipListener {

    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();

    void add(LeadershipListener listener) {
        listeners.add(listener);
    }

    void remove(LeadershipListener listener) {
        listeners.remove(listener);
    }

    // Plain loops, no lambda per callback: a lambda's call site is linked the first time it runs,
    // and for granted, revoked and drained that is a JVM's first hand-off, where it cost
    // milliseconds between the store's answer and the application's event.

    @Override
    public void granted(Leadership leadership) {
        for (LeadershipListener listener : listeners) {
            try {
                listener.granted(leadership);
            } catch (Throwable ex) {
                failed(listener, "granted", ex);
            }
        }
    }

    @Override
    public void revoked(Leadership leadership, RevocationReason reason) {
        for (LeadershipListener listener : listeners) {
            try {
                listener.revoked(leadership, reason);
            } catch (Throwable ex) {
                failed(listener, "revoked", ex);
            }
        }
    }

    @Override
    public void drained(Leadership leadership, Duration waited) {
        for (LeadershipListener listener : listeners) {
            try {
                listener.drained(leadership, waited);
            } catch (Throwable ex) {
                failed(listener, "drained", ex);
            }
        }
    }

    @Override
    public void leaderChanged(@Nullable String leaderId, @Nullable Long fencingToken) {
        each("leaderChanged", listener -> listener.leaderChanged(leaderId, fencingToken));
    }

    @Override
    public void stateChanged(ElectionState from, ElectionState to) {
        each("stateChanged", listener -> listener.stateChanged(from, to));
    }

    @Override
    public void storeCallCompleted(StoreOperation operation, StoreCallOutcome outcome, Duration latency) {
        each("storeCallCompleted", listener -> listener.storeCallCompleted(operation, outcome, latency));
    }

    private void each(String callback, Consumer<LeadershipListener> call) {
        for (LeadershipListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (Throwable ex) {
                failed(listener, callback, ex);
            }
        }
    }

    /** Errors too: a listener must never leave the election half-way. */
    private static void failed(LeadershipListener listener, String callback, Throwable ex) {
        log.warn("Leadership listener {} failed in {}; the election goes on", listener, callback, ex);
    }
}
