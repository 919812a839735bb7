package dev.leaderelection;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/** An {@link ElectionScheduler} on virtual time: tasks run only when the test moves the clock. */
final class ManualScheduler implements ElectionScheduler {

    private record Task(long due, long sequence, Runnable action) {}

    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.sequence, b.sequence));
    private final Object lock = new Object();
    private static final long START = 5_000_000_000L;

    private long now = START;
    private Instant wallClockAtStart = Instant.parse("2026-11-30T09:59:50Z");
    private long sequence;

    @Override
    public long nanoTime() {
        synchronized (lock) {
            return now;
        }
    }

    /** The wall clock moves with the virtual clock, from a fixed start. */
    @Override
    public Instant wallClock() {
        synchronized (lock) {
            return wallClockAtStart.plusNanos(now - START);
        }
    }

    /** Sets the wall clock to {@code instant} now; it moves on with the virtual clock from there. */
    void setWallClock(Instant instant) {
        synchronized (lock) {
            wallClockAtStart = instant.minusNanos(now - START);
        }
    }

    /** Runs at once on the calling thread: the tests drive everything from one thread. */
    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public Cancellable schedule(Runnable action, Duration delay) {
        Task task;
        synchronized (lock) {
            task = new Task(now + delay.toNanos(), sequence++, action);
            tasks.add(task);
        }
        return () -> {
            synchronized (lock) {
                tasks.remove(task);
            }
        };
    }

    /** Moves the clock forward, running every task that falls due on the way, in order. */
    void advance(Duration duration) {
        long target = nanoTime() + duration.toNanos();
        for (Task task = nextDue(target); task != null; task = nextDue(target)) {
            task.action.run();
        }
        synchronized (lock) {
            now = target;
        }
    }

    /** Moves the clock forward without running anything, as if every thread had stalled. */
    void stall(Duration duration) {
        synchronized (lock) {
            now += duration.toNanos();
        }
    }

    private Task nextDue(long target) {
        synchronized (lock) {
            Task next = tasks.peek();
            if (next == null || next.due > target) {
                return null;
            }
            tasks.poll();
            now = Math.max(now, next.due);
            return next;
        }
    }
}
