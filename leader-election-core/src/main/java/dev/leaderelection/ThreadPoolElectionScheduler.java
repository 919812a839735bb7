package dev.leaderelection;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link ElectionScheduler} on a small pool of daemon threads and {@link System#nanoTime()}. A
 * few threads serve hundreds of electors: elector tasks are short and store calls never block.
 */
public final class ThreadPoolElectionScheduler implements ElectionScheduler, AutoCloseable {

    private final ScheduledThreadPoolExecutor executor;

    /** A scheduler with {@code threads} threads named {@code <threadNamePrefix>N}. */
    public ThreadPoolElectionScheduler(int threads, String threadNamePrefix) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads (" + threads + ") must be at least 1");
        }
        this.executor = new ScheduledThreadPoolExecutor(threads, daemonThreads(threadNamePrefix));
        this.executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        var future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    /** Stops the threads; tasks not yet started are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
