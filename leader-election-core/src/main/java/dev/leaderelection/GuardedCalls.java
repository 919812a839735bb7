package dev.leaderelection;

import dev.leaderelection.ElectionScheduler.Cancellable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Counts the guarded calls in flight of one elector, so that a voluntary step-down can wait for them.
 *
 * <p>A caller counts itself in <em>before</em> it checks leadership, and the engine ends leadership
 * <em>before</em> it reads the count: either the engine sees the call, or the call sees that the term
 * has ended (both sides are volatile or atomic, so one of the two orders holds).
 */
final class GuardedCalls {

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile @Nullable CompletableFuture<Void> idleWaiter;

    void enter() {
        inFlight.incrementAndGet();
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0) {
            CompletableFuture<Void> waiter = idleWaiter;
            if (waiter != null) {
                waiter.complete(null);
            }
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    /**
     * Completes once no guarded call is in flight, or at {@code deadlineNanos} on the scheduler's
     * clock, whichever comes first; at once if none is in flight.
     */
    CompletableFuture<Void> whenIdleOrAt(long deadlineNanos, ElectionScheduler scheduler) {
        CompletableFuture<Void> idle = new CompletableFuture<>();
        idleWaiter = idle;
        if (inFlight.get() == 0) {
            idle.complete(null);
            return idle;
        }
        Cancellable atDeadline = scheduler.schedule(
                () -> idle.complete(null), Duration.ofNanos(Math.max(0, deadlineNanos - scheduler.nanoTime())));
        idle.whenComplete((ignored, error) -> atDeadline.cancel());
        return idle;
    }
}
