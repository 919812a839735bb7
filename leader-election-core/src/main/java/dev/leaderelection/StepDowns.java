package dev.leaderelection;

import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of an elector's terms, once leadership is off: the guarded calls in flight (a
 * leader-scoped bean that is still stopping holds one) drain, at most until the term's local
 * deadline, before the lease is released, so that no successor starts while this instance's work
 * still runs. A voluntary step-down (yield, relinquish, shutdown) sends the release first and the
 * rest (the log line, the {@code drained} listeners) after it, so that a successor waits for nothing
 * but the step-down itself; an involuntary loss is logged at once, when it happens.
 */
final class StepDowns {

    private static final Logger log = LoggerFactory.getLogger(LeaseLeaderElector.class);

    private final String election;
    private final String instanceId;
    private final ElectionScheduler scheduler;
    private final Executor electionThread;
    private final GuardedCalls guardedCalls;
    private final LeadershipListener listeners;
    private final Function<LeaseToken, CompletableFuture<Boolean>> release;

    /** @param release sends the release of a term's token, on the election thread */
    StepDowns(
            String election,
            String instanceId,
            ElectionScheduler scheduler,
            Executor electionThread,
            GuardedCalls guardedCalls,
            LeadershipListener listeners,
            Function<LeaseToken, CompletableFuture<Boolean>> release) {
        this.election = election;
        this.instanceId = instanceId;
        this.scheduler = scheduler;
        this.electionThread = electionThread;
        this.guardedCalls = guardedCalls;
        this.listeners = listeners;
        this.release = release;
    }

    /**
     * Ends {@code ended}, whose leadership is already off and whose revocation the listeners heard:
     * drains, then releases {@code heldToken} (if not {@code null}) on the election thread.
     *
     * @return completes with whether the release freed the lease
     */
    CompletableFuture<Boolean> finish(Leadership ended, RevocationReason reason, @Nullable LeaseToken heldToken) {
        if (!reason.isVoluntary()) {
            logRevoked(ended, reason, "");
        }
        Finish finish = new Finish(ended, reason, heldToken);
        CompletableFuture<Void> idle = guardedCalls.whenIdleOrAt(ended.deadlineNanos(), scheduler);
        if (idle.isDone()) {
            finish.run(); // nothing to wait for: release at once
        } else {
            idle.whenComplete((ignored, error) -> electionThread.execute(finish));
        }
        return finish.released;
    }

    /** Waits for {@code done} (a stop or yield running on the election thread), at most {@code timeout}. */
    void await(CompletableFuture<Void> done, String what, Duration timeout) {
        try {
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException ex) {
            log.warn("Election {}: {} did not finish within {}; going on", election, what, millis(timeout));
        } catch (ExecutionException ex) {
            log.warn("Election {}: {} failed", election, what, ex.getCause());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void logRevoked(Leadership ended, RevocationReason reason, String drain) {
        log.info(
                "Leadership revoked: election={} instance={} fencingToken={} reason={} heldFor={}{}",
                election,
                instanceId,
                ended.fencingToken(),
                reason,
                millis(Duration.between(ended.grantedAt(), Instant.now())),
                drain);
    }

    static String millis(Duration duration) {
        return InvalidTimingsException.format(Duration.ofMillis(duration.toMillis()));
    }

    /**
     * The rest of one step-down once its guarded calls have drained: a class rather than a lambda,
     * which would be linked on a JVM's first hand-off, between the stop and the release.
     */
    private final class Finish implements Runnable, BiConsumer<Boolean, Throwable> {
        final CompletableFuture<Boolean> released = new CompletableFuture<>();
        private final Leadership ended;
        private final RevocationReason reason;
        private final @Nullable LeaseToken heldToken;
        private final long drainStart = scheduler.nanoTime();
        private final int inFlight = guardedCalls.inFlight();

        Finish(Leadership ended, RevocationReason reason, @Nullable LeaseToken heldToken) {
            this.ended = ended;
            this.reason = reason;
            this.heldToken = heldToken;
        }

        @Override
        public void run() {
            Duration waited = Duration.ofNanos(scheduler.nanoTime() - drainStart);
            if (heldToken == null) {
                released.complete(false);
            } else {
                release.apply(heldToken).whenComplete(this);
            }
            if (reason.isVoluntary()) {
                listeners.drained(ended, waited);
                logRevoked(ended, reason, " guardedCallsInFlight=" + inFlight + " drainWait=" + millis(waited));
            }
        }

        @Override
        public void accept(@Nullable Boolean ok, @Nullable Throwable error) {
            released.complete(Boolean.TRUE.equals(ok));
        }
    }
}
