package dev.leaderelection;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An {@link ElectionScheduler} on a small pool of daemon threads and {@link System#nanoTime()}. A
 * few threads serve thousands of electors: elector tasks are short and store calls never block.
 *
 * <p>Tasks run on the worker threads, taken in order from a plain queue; one more thread, the timer,
 * keeps the delayed tasks and hands each to the workers when it falls due. So a task run at once
 * never goes through the timer's queue, which grows with the number of elections.
 */
public final class ThreadPoolElectionScheduler implements ElectionScheduler, AutoCloseable {

    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor timer;

    /** A scheduler with {@code threads} worker threads named {@code <threadNamePrefix>N} and a timer thread. */
    public ThreadPoolElectionScheduler(int threads, String threadNamePrefix) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads (" + threads + ") must be at least 1");
        }
        AtomicInteger count = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.NANOSECONDS,
                new LinkedBlockingQueue<>(),
                daemonThreads(() -> threadNamePrefix + count.incrementAndGet()));
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads(() -> threadNamePrefix + "timer"));
        this.timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        workers.execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        var future = timer.schedule(() -> handOver(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    private void handOver(Runnable task) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException ex) {
            // closed meanwhile: tasks not yet started are dropped
        }
    }

    /** Stops the threads; tasks not yet started are dropped. */
    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdownNow();
    }

    private static ThreadFactory daemonThreads(Supplier<String> names) {
        return task -> {
            Thread thread = new Thread(task, names.get());
            thread.setDaemon(true);
            return thread;
        };
    }
}
