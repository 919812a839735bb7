package dev.leaderelection;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs tasks one at a time, in order, on a shared executor: an election's own thread. */
final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor delegate;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile @Nullable Thread runner;

    SerialExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        drainLater();
    }

    /** Whether the calling thread is running this executor's tasks right now. */
    boolean isCurrentThread() {
        return runner == Thread.currentThread();
    }

    private void drainLater() {
        if (draining.compareAndSet(false, true)) {
            try {
                delegate.execute(this::drain);
            } catch (RejectedExecutionException ex) {
                draining.set(false);
                throw ex;
            }
        }
    }

    private void drain() {
        runner = Thread.currentThread();
        try {
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                try {
                    task.run();
                } catch (Throwable ex) { // an Error must not strand the tasks queued behind it
                    log.error("Election task failed", ex);
                }
            }
        } finally {
            runner = null;
            draining.set(false);
        }
        if (!tasks.isEmpty()) {
            drainLater();
        }
    }
}
