package dev.leaderelection;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
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
 * keeps the delayed tasks and hands each to the workers when it falls due, at most 0.1 ms late
 * ({@link SlottedTimer}). So a task run at once never goes through the timer, and the timer sorts
 * the shared ticks on which thousands of elections renew rather than every renewal.
 */
public final class ThreadPoolElectionScheduler implements ElectionScheduler, AutoCloseable {

    private final ThreadPoolExecutor workers;
    private final SlottedTimer timer;

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
        this.timer = new SlottedTimer(workers, threadNamePrefix + "timer");
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
        return timer.schedule(task, delay.toNanos());
    }

    /** Stops the threads; tasks not yet started are dropped. */
    @Override
    public void close() {
        timer.close();
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
