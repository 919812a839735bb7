package dev.leaderelection;

import dev.leaderelection.ElectionScheduler.Cancellable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delayed tasks of a {@link ThreadPoolElectionScheduler}, kept by one timer thread that hands
 * each to the workers when it falls due. Tasks due within the same slot of {@value #SLOT_NANOS} ns
 * share one entry of a sorted map: thousands of elections renew on shared ticks, so the timer sorts
 * a few slots instead of every task. A task runs no earlier than its delay, and at most one slot
 * later. A cancelled task stays in its slot, skipped, until the slot falls due.
 */
final class SlottedTimer implements AutoCloseable {

    /** The timer's resolution. */
    static final long SLOT_NANOS = 100_000;

    /** Delays are capped at about a century, so that the due time cannot overflow. */
    private static final long MAX_DELAY_NANOS = TimeUnit.DAYS.toNanos(36_500);

    private static final Logger log = LoggerFactory.getLogger(SlottedTimer.class);

    private final Executor workers;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition earlierSlot = lock.newCondition();
    private final TreeMap<Long, ArrayDeque<Task>> slots = new TreeMap<>(); // guarded by lock
    private boolean closed; // guarded by lock

    SlottedTimer(Executor workers, String threadName) {
        this.workers = workers;
        Thread thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Hands {@code task} to the workers once {@code delayNanos} have passed on {@link
     * System#nanoTime()}.
     *
     * @throws RejectedExecutionException after {@link #close()}
     */
    Cancellable schedule(Runnable task, long delayNanos) {
        long due = System.nanoTime() + Math.min(Math.max(0, delayNanos), MAX_DELAY_NANOS);
        long slot = -Math.floorDiv(-due, SLOT_NANOS); // rounded up: never early
        Task entry = new Task(task);
        lock.lock();
        try {
            if (closed) {
                throw new RejectedExecutionException("The election scheduler is closed");
            }
            slots.computeIfAbsent(slot, key -> new ArrayDeque<>()).add(entry);
            if (slots.firstKey() == slot) {
                earlierSlot.signal();
            }
        } finally {
            lock.unlock();
        }
        return entry::cancel;
    }

    private void run() {
        List<ArrayDeque<Task>> due = new ArrayList<>();
        while (takeDue(due)) {
            for (ArrayDeque<Task> slot : due) {
                for (Task task : slot) {
                    task.handOver();
                }
            }
            due.clear();
        }
    }

    /** Waits for the first slot to fall due and moves every due slot to {@code due}; false once closed. */
    private boolean takeDue(List<ArrayDeque<Task>> due) {
        lock.lock();
        try {
            while (!closed) {
                Map.Entry<Long, ArrayDeque<Task>> first = slots.firstEntry();
                if (first == null) {
                    earlierSlot.awaitUninterruptibly();
                    continue;
                }
                long now = System.nanoTime();
                long untilDue = first.getKey() * SLOT_NANOS - now;
                if (untilDue > 0) {
                    earlierSlot.awaitNanos(untilDue);
                    continue;
                }
                while (first != null && first.getKey() * SLOT_NANOS - now <= 0) {
                    due.add(slots.pollFirstEntry().getValue());
                    first = slots.firstEntry();
                }
                return true;
            }
            return false;
        } catch (InterruptedException ex) {
            return false; // closed
        } finally {
            lock.unlock();
        }
    }

    /** Stops the timer thread; tasks not yet due are dropped. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            slots.clear();
            earlierSlot.signal();
        } finally {
            lock.unlock();
        }
    }

    private final class Task {
        private final Runnable task;
        private volatile boolean cancelled;

        Task(Runnable task) {
            this.task = task;
        }

        void cancel() {
            cancelled = true;
        }

        void handOver() {
            if (cancelled) {
                return;
            }
            try {
                workers.execute(task);
            } catch (RejectedExecutionException ex) {
                // closed meanwhile: tasks not yet started are dropped
            } catch (RuntimeException ex) {
                log.error("Election timer task could not be handed over", ex);
            }
        }
    }
}
