package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionState;
import dev.leaderelection.ThreadPoolElectionScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Counts the store commands (Redis: as {@code INFO} counts them) of one leader and a growing number of idle followers of the same
 * election. Every elector has its own connections (commands and pub/sub) and its own store, as a
 * separate application would; to spare the machine they share this JVM, its event loops and one
 * scheduler, which changes nothing that the server sees. A store whose server cannot count its
 * requests has no result (n/a).
 *
 * <p>Followers join one by one, spread over one lease, so that their polls do not line up. At each
 * point the counter runs over a fixed window; the cost of a follower is the growth over the point
 * with the leader alone, divided by the number of followers.
 */
final class StoreLoadBenchmark {

    private static final String ELECTION = "load";
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

    private final BenchmarkSettings settings;
    private final BenchmarkStore store;

    StoreLoadBenchmark(BenchmarkSettings settings, BenchmarkStore store) {
        this.settings = settings;
        this.store = store;
    }

    /**
     * What Redis did per second with one leader and {@code followers} idle followers.
     *
     * @param followers idle followers next to the leader
     * @param rates commands, requests and server CPU over the window
     */
    record Point(int followers, RedisStats.Rates rates) {}

    /** The points, the first with the leader alone. */
    record Result(List<Point> points) {

        /** Commands per second that one follower adds, at {@code point}. */
        double commandsPerFollower(Point point) {
            return (point.rates().commandsPerSecond() - leaderAlone().rates().commandsPerSecond()) / point.followers();
        }

        /** Requests per second that one follower adds, at {@code point}. */
        double requestsPerFollower(Point point) {
            return (point.rates().requestsPerSecond() - leaderAlone().rates().requestsPerSecond()) / point.followers();
        }

        Point leaderAlone() {
            return points.get(0);
        }

        /** The points with followers. */
        List<Point> withFollowers() {
            return points.subList(1, points.size());
        }
    }

    /** The points, or {@code null} if the store cannot count what its server does. */
    @Nullable
    Result run() {
        BenchmarkStore.Counter stats = store.counter().orElse(null);
        if (stats == null) {
            return null;
        }
        if (settings.followerCounts().isEmpty() || settings.followerCounts().get(0) != 0) {
            throw new IllegalArgumentException("followerCounts must start with 0 (the leader alone)");
        }
        ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(2, "load-election-");
        List<Instance> followers = new ArrayList<>();
        Instance leader = new Instance("leader", scheduler);
        try {
            leader.elector.start();
            Waits.until("a leader", STEP_TIMEOUT, () -> leader.elector.isLeader());
            List<Point> points = new ArrayList<>();
            for (int count : settings.followerCounts()) {
                int joining = count - followers.size();
                for (int i = 0; i < joining; i++) {
                    Instance follower = new Instance("follower-" + (followers.size() + 1), scheduler);
                    followers.add(follower);
                    follower.elector.start();
                    Waits.sleep(settings.leaseDuration().dividedBy(joining));
                }
                Waits.until(
                        count + " followers",
                        STEP_TIMEOUT,
                        () -> followers.stream().allMatch(f -> f.elector.state() == ElectionState.FOLLOWER));
                Waits.sleep(settings.leaseDuration());
                RedisStats.Snapshot before = stats.snapshot();
                Waits.sleep(settings.loadWindow());
                points.add(new Point(count, stats.snapshot().since(before)));
                if (!leader.elector.isLeader()) {
                    throw new IllegalStateException("The leader lost its lease during the window");
                }
            }
            return new Result(points);
        } finally {
            followers.forEach(Instance::close);
            leader.close();
            scheduler.close();
        }
    }

    /** One elector with its own connections and store, like one application. */
    private final class Instance {
        final BenchmarkStore.Elector client;
        final dev.leaderelection.LeaseLeaderElector elector;

        Instance(String id, ThreadPoolElectionScheduler scheduler) {
            client = store.elector(ELECTION, id, settings.timings(), scheduler, true);
            elector = client.elector();
        }

        void close() {
            client.close();
        }
    }
}
