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

    @Override
    public void granted(Leadership leadership) {
        each("granted", listener -> listener.granted(leadership));
    }

    @Override
    public void revoked(Leadership leadership, RevocationReason reason) {
        each("revoked", listener -> listener.revoked(leadership, reason));
    }

    @Override
    public void drained(Leadership leadership, Duration waited) {
        each("drained", listener -> listener.drained(leadership, waited));
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
            } catch (Throwable ex) { // Errors too: a listener must never leave the election half-way
                log.warn("Leadership listener {} failed in {}; the election goes on", listener, callback, ex);
            }
        }
    }
}
