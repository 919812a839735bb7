package dev.leaderelection.demo;

import dev.leaderelection.testing.process.AppProcess;
import dev.leaderelection.testing.process.LeaderStatus;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The sample-app instances of the demo. A watcher thread per instance asks it for its role ten times
 * a second and writes every change it sees to the timeline.
 */
final class Cluster implements AutoCloseable {

    private static final long POLL_MILLIS = 100;

    private final Timeline timeline;
    private final List<AppProcess> instances = new CopyOnWriteArrayList<>();
    private final Map<String, LeaderStatus> last = new LinkedHashMap<>();
    private final List<Thread> watchers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    Cluster(Timeline timeline) {
        this.timeline = timeline;
    }

    void add(AppProcess instance) {
        synchronized (this) {
            last.put(instance.name(), LeaderStatus.STARTING);
        }
        instances.add(instance);
        Thread watcher = new Thread(() -> watch(instance), "watch-" + instance.name());
        watcher.setDaemon(true);
        watchers.add(watcher);
        watcher.start();
    }

    /** The latest status of every instance, by name. */
    synchronized Map<String, LeaderStatus> statuses() {
        return Map.copyOf(last);
    }

    /** The instances whose process still runs, by name. */
    synchronized Map<String, LeaderStatus> running() {
        return last.entrySet().stream()
                .filter(entry -> !entry.getValue().isGone())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Instance {@code name}. */
    AppProcess instance(String name) {
        return instances.stream()
                .filter(instance -> instance.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** SIGKILLs instance {@code name} and records it as killed before returning, so no wait sees it alive. */
    AppProcess kill(String name) {
        AppProcess victim = instances.stream()
                .filter(instance -> instance.name().equals(name))
                .findFirst()
                .orElseThrow();
        victim.kill();
        record(name, LeaderStatus.KILLED);
        return victim;
    }

    /**
     * Waits until {@code condition} holds for the running instances' statuses.
     *
     * @throws DemoFailedException naming {@code expectation} and every instance's role if it does not
     *     hold within {@code timeout}
     */
    synchronized Map<String, LeaderStatus> await(
            String expectation, Duration timeout, Predicate<Map<String, LeaderStatus>> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(running())) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new DemoFailedException("Expected " + expectation + " within " + timeout.toSeconds()
                        + " s, but the instances are: " + describe(statuses()));
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new DemoFailedException("Interrupted while waiting for " + expectation);
            }
        }
        return running();
    }

    /** Stops every instance gracefully (SIGTERM), the leader last so that nobody takes over, then the watchers. */
    @Override
    public void close() {
        Map<String, LeaderStatus> statuses = statuses();
        instances.stream()
                .sorted(Comparator.comparing(instance -> statuses.getOrDefault(instance.name(), LeaderStatus.STARTING)
                        .isLeader()))
                .forEach(AppProcess::stop);
        closed = true;
        watchers.forEach(Thread::interrupt);
    }

    private void watch(AppProcess instance) {
        while (!closed) {
            record(instance.name(), instance.status());
            try {
                Thread.sleep(POLL_MILLIS); // the polling interval, not a synchronisation
            } catch (InterruptedException ex) {
                return;
            }
        }
    }

    private synchronized void record(String name, LeaderStatus now) {
        LeaderStatus before = last.put(name, now);
        if (before != null && !before.role().equals(now.role())) {
            timeline.add(name, before.role() + " -> " + now.role() + detail(now));
        }
        notifyAll();
    }

    private static String detail(LeaderStatus status) {
        if (status.isLeader()) {
            return "  (fencing token " + status.fencingToken() + ")";
        }
        if (status.role().equals("STANDBY") && status.lastError() != null) {
            return "  (" + status.lastError() + ")";
        }
        return "";
    }

    private static String describe(Map<String, LeaderStatus> statuses) {
        return statuses.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> entry.getKey() + "=" + entry.getValue().role())
                .collect(Collectors.joining(", "));
    }
}
