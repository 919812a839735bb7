package dev.leaderelection;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;

/**
 * The time source and task runner behind electors. One scheduler serves many electors; each
 * elector runs its own tasks one at a time on top of it. Tests replace it with a manual clock.
 */
public interface ElectionScheduler extends Executor {

    /** Monotonic time in nanoseconds; only differences are meaningful. */
    long nanoTime();

    /**
     * The wall-clock time, for schedules that follow the calendar (a cron relinquish); timing
     * decisions use {@link #nanoTime()} only. Tests replace it along with the monotonic clock.
     */
    default Instant wallClock() {
        return Instant.now();
    }

    /** Runs {@code task} once {@code delay} has passed on {@link #nanoTime()}. */
    Cancellable schedule(Runnable task, Duration delay);

    /** A scheduled task that may still be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not started; does nothing otherwise. */
        void cancel();
    }
}
