package dev.leaderelection.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends read-only calls down the paths of the election calls a few hundred times, one after the
 * other, once Redis has answered at startup. A JVM compiles a method only after a few hundred runs:
 * an election call runs a few times a lease, so without this the client's code (the template,
 * Reactor, Lettuce, Netty) would still be interpreted at a JVM's first hand-offs, and each call
 * there would take milliseconds instead of a fraction of one. The calls write nothing, one is in
 * flight at a time, and the first failure or the store's close ends them.
 */
final class ClientWarmUp {

    /** How many calls; enough for the JVM's first compiler (a few hundred runs of a method). */
    static final int CALLS = 500;

    private static final Logger log = LoggerFactory.getLogger(ClientWarmUp.class);

    private final List<Supplier<CompletableFuture<?>>> calls;
    private final Executor sender;
    private final BooleanSupplier closed;

    /**
     * @param calls the calls to send in turn
     * @param sender where each call is sent from once the previous one has answered: never the
     *     client's I/O thread, which a call may block while the connection is opened anew
     * @param closed tells when to stop early
     */
    ClientWarmUp(List<Supplier<CompletableFuture<?>>> calls, Executor sender, BooleanSupplier closed) {
        this.calls = List.copyOf(calls);
        this.sender = sender;
        this.closed = closed;
    }

    /** Sends the calls in the background: each one once the previous one has answered. */
    void start() {
        send(0);
    }

    private void send(int sent) {
        if (sent == CALLS || closed.getAsBoolean()) {
            return;
        }
        CompletableFuture<?> call;
        try {
            call = calls.get(sent % calls.size()).get();
        } catch (RuntimeException ex) {
            stopped(ex);
            return;
        }
        call.whenCompleteAsync(
                (answer, error) -> {
                    if (error == null) {
                        send(sent + 1);
                    } else {
                        stopped(error);
                    }
                },
                sender);
    }

    private static void stopped(Throwable error) {
        log.debug("Client warm-up stopped early: {}", error.toString());
    }
}
