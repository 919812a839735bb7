package dev.leaderelection.benchmarks;

import dev.leaderelection.benchmarks.peers.BootApps;
import dev.leaderelection.benchmarks.peers.LeaderElectionBootApp;
import dev.leaderelection.benchmarks.peers.RedissonBootApp;
import dev.leaderelection.benchmarks.peers.SpringIntegrationBootApp;
import dev.leaderelection.redis.RedisKeys;
import dev.leaderelection.redis.RedisLeaseStore;
import dev.leaderelection.testing.redis.RedisServer;
import dev.leaderelection.testing.redis.RedisServers;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.redisson.api.RLock;
import org.springframework.integration.leader.Candidate;

/**
 * This project next to the leader elections users reach for instead, each a whole Spring Boot
 * application ({@code peers} package) in processes of its own on one Redis server, measured the
 * same way one after the other:
 *
 * <ul>
 *   <li>hand-off: the harness stamps {@link System#nanoTime()}, sends SIGTERM to the leader (Spring
 *       Boot closes the context in its shutdown hook, web server included); the successor stamps its
 *       grant. The stopped instance is started again before the next round.
 *   <li>crash: SIGKILL of the leader at a random point of a renewal interval; the takeover past the
 *       dead lease's end, read from Redis ({@code PTTL} of the contender's own lease or lock key) right
 *       after the kill.
 *   <li>idle followers: Redis' counters ({@link RedisStats}, as the store-load benchmark counts) over a
 *       window with the leader alone, then with every instance; per follower, the growth divided by
 *       the followers.
 * </ul>
 *
 * <p>Run alone, with few rounds: {@code java -cp <benchmarks classpath>
 * dev.leaderelection.benchmarks.SideBySideBenchmark [hand-off rounds] [crash rounds] [contenders]},
 * the contenders named as in {@link Contender#name()}, separated by commas (default: all).
 */
final class SideBySideBenchmark {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(90);

    /** A whole application may take long to start on a busy machine, and three start at once. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    /**
     * One contender: a Spring Boot application and where it keeps its lease.
     *
     * @param name short name, for logs and process names
     * @param displayName the column's heading
     * @param application the application's main class
     * @param leaseKey the Redis key of the lease or lock of an election
     */
    record Contender(String name, String displayName, Class<?> application, Function<String, String> leaseKey) {

        static final Contender THIS_PROJECT = new Contender(
                "this-project",
                "this project",
                LeaderElectionBootApp.class,
                election -> RedisKeys.of(RedisLeaseStore.DEFAULT_KEY_PREFIX, election)
                        .lease());

        static final Contender SPRING_INTEGRATION = new Contender(
                "spring-integration",
                "Spring Integration "
                        + version(Candidate.class, "org.springframework.integration", "spring-integration-core")
                        + " (`LockRegistryLeaderInitiator`, `RedisLockRegistry`)",
                SpringIntegrationBootApp.class,
                SpringIntegrationBootApp::lockKey);

        static final Contender REDISSON = new Contender(
                "redisson",
                "Redisson " + version(RLock.class, "org.redisson", "redisson") + " `RLock` loop",
                RedissonBootApp.class,
                election -> election);

        static List<Contender> all() {
            return List.of(THIS_PROJECT, SPRING_INTEGRATION, REDISSON);
        }
    }

    /**
     * How much to measure.
     *
     * @param contenders the applications, this project first
     * @param instances processes per contender
     * @param handOffRounds SIGTERM rounds per contender
     * @param crashRounds SIGKILL rounds per contender
     * @param loadWindow how long Redis' counters run for each point
     * @param restart whether a stopped or killed instance starts again before the next round (else
     *     each round has one instance fewer)
     * @param jvmOptions the options of every application's JVM
     */
    record Settings(
            List<Contender> contenders,
            int instances,
            int handOffRounds,
            int crashRounds,
            Duration loadWindow,
            boolean restart,
            List<String> jvmOptions) {

        Settings {
            if (handOffRounds < 1 || crashRounds < 1) {
                throw new IllegalArgumentException("at least one round of each");
            }
            if (!restart && instances <= handOffRounds + crashRounds) {
                throw new IllegalArgumentException("without restarts every round needs an instance of its own");
            }
        }

        /** The published run. */
        static Settings full() {
            return new Settings(Contender.all(), 3, 6, 6, Duration.ofSeconds(12), true, BootAppProcess.JVM_OPTIONS);
        }

        /** A quick run, for measuring while working. */
        static Settings quick(List<Contender> contenders, int handOffRounds, int crashRounds) {
            return new Settings(
                    contenders, 3, handOffRounds, crashRounds, Duration.ofSeconds(8), true, BootAppProcess.JVM_OPTIONS);
        }

        /**
         * The smoke test's: this project only, three instances started once, one round of each; the
         * JVMs compile with C1 only, which starts them sooner.
         */
        static Settings smoke() {
            List<String> quickStart = new ArrayList<>(BootAppProcess.JVM_OPTIONS);
            quickStart.add("-XX:TieredStopAtLevel=1");
            return new Settings(
                    List.of(Contender.THIS_PROJECT), 3, 1, 1, Duration.ofMillis(800), false, List.copyOf(quickStart));
        }
    }

    /**
     * One contender's figures; times in ms.
     *
     * @param contender the application
     * @param handOff from SIGTERM of the leader to the successor's grant
     * @param revocation from SIGTERM of the leader to its own revocation event
     * @param crashOvershoot from the end of the dead leader's lease (in Redis) to the successor's grant
     * @param crashTakeover from SIGKILL of the leader to the successor's grant
     * @param leaderAlone Redis' rates with the leader alone
     * @param everyone Redis' rates with every instance
     * @param followers the idle followers of {@code everyone}
     */
    record Row(
            Contender contender,
            Distribution handOff,
            Distribution revocation,
            Distribution crashOvershoot,
            Distribution crashTakeover,
            RedisStats.Rates leaderAlone,
            RedisStats.Rates everyone,
            int followers) {

        double commandsPerFollower() {
            return (everyone.commandsPerSecond() - leaderAlone.commandsPerSecond()) / followers;
        }

        double requestsPerFollower() {
            return (everyone.requestsPerSecond() - leaderAlone.requestsPerSecond()) / followers;
        }
    }

    /**
     * Every contender's row, this project first.
     *
     * @param settings what was measured
     * @param rows one per contender
     */
    record Result(Settings settings, List<Row> rows) {

        Row thisProject() {
            return rows.get(0);
        }
    }

    /**
     * The election timings of every run, the smoke test's included: those of the published run (lease
     * 2 s), as whole applications on a busy machine would lose shorter leases to their own pauses.
     */
    static final BenchmarkSettings TIMINGS = BenchmarkSettings.full();

    private final BenchmarkSettings timings = TIMINGS;
    private final Settings settings;
    private final int redisPort;

    SideBySideBenchmark(Settings settings, int redisPort) {
        this.settings = settings;
        this.redisPort = redisPort;
    }

    public static void main(String[] args) {
        int handOffs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int crashes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> names = args.length > 2 ? List.of(args[2].split(",")) : List.of();
        List<Contender> contenders = Contender.all().stream()
                .filter(contender -> names.isEmpty() || names.contains(contender.name()))
                .toList();
        try (RedisServer server = RedisServers.start()) {
            Result result = new SideBySideBenchmark(Settings.quick(contenders, handOffs, crashes), server.port()).run();
            System.out.println(BenchmarkReport.sideBySide(result));
        }
        System.exit(0);
    }

    Result run() {
        List<Row> rows = new ArrayList<>();
        for (Contender contender : settings.contenders()) {
            Benchmarks.progress("side by side: " + contender.name() + ", " + settings.instances() + " instances, "
                    + settings.handOffRounds() + " SIGTERMs, " + settings.crashRounds() + " SIGKILLs");
            rows.add(new Run(contender).measure());
        }
        return new Result(settings, rows);
    }

    /** One contender's processes and events. */
    private final class Run {

        private final Contender contender;
        private final String election;
        private final EventLog events = new EventLog();
        private final Map<String, BootAppProcess> processes = new LinkedHashMap<>();
        private String leader = "";

        Run(Contender contender) {
            this.contender = contender;
            this.election = "bench-" + contender.name() + "-" + Long.toHexString(System.nanoTime());
        }

        Row measure() {
            try (RedisStats stats = new RedisStats(redisPort)) {
                int mark = events.mark();
                for (int i = 1; i <= settings.instances(); i++) {
                    launch("node-" + i);
                }
                for (String instance : processes.keySet()) {
                    awaitReady(mark, instance);
                }
                leader = events.await(
                                mark, STEP_TIMEOUT, "first grant", e -> e.kind().equals(BootApps.GRANTED))
                        .instance();
                int followers = processes.size() - 1;
                int everyoneFrom = events.mark();
                RedisStats.Rates everyone = window(stats);
                if (events.any(everyoneFrom, e -> e.kind().equals(BootApps.GRANTED))) {
                    throw new IllegalStateException(contender.name() + ": the leader changed while followers idled");
                }
                List<Double> handOffs = new ArrayList<>();
                List<Double> revocations = new ArrayList<>();
                List<Double> takeovers = new ArrayList<>();
                List<Double> overshoots = new ArrayList<>();
                int rounds = settings.handOffRounds() + settings.crashRounds();
                for (int round = 1; round <= rounds; round++) {
                    String stopped = round <= settings.handOffRounds()
                            ? handOffRound(handOffs, revocations)
                            : crashRound(stats, takeovers, overshoots);
                    if (settings.restart() && round < rounds) {
                        restart(stopped);
                    }
                }
                // The leader alone: its followers go (SIGKILL: they hold nothing), it stays.
                List<String> others = processes.keySet().stream()
                        .filter(instance -> !instance.equals(currentLeader()))
                        .toList();
                others.forEach(instance -> processes.remove(instance).kill());
                int aloneFrom = events.mark();
                RedisStats.Rates alone = window(stats);
                if (events.any(aloneFrom, e -> e.kind().equals(BootApps.REVOKED))) {
                    throw new IllegalStateException(contender.name() + ": the leader lost its lease while alone");
                }
                return new Row(
                        contender,
                        new Distribution(handOffs),
                        new Distribution(revocations),
                        new Distribution(overshoots),
                        new Distribution(takeovers),
                        alone,
                        everyone,
                        followers);
            } finally {
                processes.values().forEach(BootAppProcess::close);
                processes.clear();
            }
        }

        /** Lets every instance settle for a lease (subscriptions, first polls), then counts. */
        private RedisStats.Rates window(RedisStats stats) {
            Waits.sleep(timings.leaseDuration());
            RedisStats.Snapshot before = stats.snapshot();
            Waits.sleep(settings.loadWindow());
            return stats.snapshot().since(before);
        }

        /** SIGTERM of the leader; returns the stopped instance. */
        private String handOffRound(List<Double> handOffs, List<Double> revocations) {
            String stopping = currentLeader();
            int mark = events.mark();
            long terminatedAt = processes.get(stopping).terminate();
            ElectorEvent grant = awaitGrantOfAnother(mark, stopping);
            if (grant.nanos() < terminatedAt) {
                throw new IllegalStateException(contender.name() + ": leadership moved to " + grant.instance()
                        + " before the SIGTERM of " + stopping + " (a lease lost to a busy machine?)");
            }
            ElectorEvent revoked = events.await(
                    mark, STEP_TIMEOUT, "revocation of " + stopping, e -> e.is(stopping, BootApps.REVOKED));
            revocations.add(millis(revoked.nanos() - terminatedAt));
            processes.remove(stopping).awaitExit();
            leader = grant.instance();
            handOffs.add(millis(grant.nanos() - terminatedAt));
            return stopping;
        }

        /** SIGKILL of the leader at a random point of a renewal interval; returns the killed instance. */
        private String crashRound(RedisStats stats, List<Double> takeovers, List<Double> overshoots) {
            String victim = currentLeader();
            Waits.sleep(Duration.ofNanos(
                    ThreadLocalRandom.current().nextLong(timings.renewInterval().toNanos())));
            int mark = events.mark();
            long killedAt = processes.remove(victim).kill();
            long now = System.nanoTime();
            long remaining = stats.remainingMillis(contender.leaseKey().apply(election));
            ElectorEvent grant = awaitGrantOfAnother(mark, victim);
            takeovers.add(millis(grant.nanos() - killedAt));
            if (remaining >= 0) {
                overshoots.add(millis(grant.nanos() - (now + TimeUnit.MILLISECONDS.toNanos(remaining))));
            } else {
                // the key was gone when read: the takeover had begun; count from the read
                overshoots.add(millis(grant.nanos() - now));
            }
            leader = grant.instance();
            return victim;
        }

        /** The instance of the last grant: the harness's own moves, or a lease lost on a busy machine. */
        private String currentLeader() {
            return events.last(e -> e.kind().equals(BootApps.GRANTED))
                    .map(ElectorEvent::instance)
                    .orElse(leader);
        }

        /** Starts {@code instance} again and lets it settle into following. */
        private void restart(String instance) {
            int mark = events.mark();
            launch(instance);
            awaitReady(mark, instance);
            Waits.sleep(timings.leaseDuration());
        }

        private void launch(String instance) {
            List<String> args = List.of(
                    Integer.toString(redisPort),
                    election,
                    instance,
                    Long.toString(timings.leaseDuration().toMillis()),
                    Long.toString(timings.renewInterval().toMillis()),
                    Long.toString(timings.operationTimeout().toMillis()));
            processes.put(
                    instance,
                    BootAppProcess.launch(
                            instance,
                            contender.name() + "-" + instance,
                            contender.application(),
                            settings.jvmOptions(),
                            args,
                            events));
        }

        private void awaitReady(int mark, String instance) {
            events.await(mark, START_TIMEOUT, instance + " ready", e -> e.is(instance, BootApps.READY));
        }

        private ElectorEvent awaitGrantOfAnother(int mark, String previous) {
            return events.await(
                    mark,
                    STEP_TIMEOUT,
                    contender.name() + ": grant to an instance other than " + previous,
                    e -> e.kind().equals(BootApps.GRANTED) && !e.instance().equals(previous));
        }
    }

    /**
     * The version of the jar of {@code type}: its manifest's, else the {@code pom.properties} Maven
     * put in it.
     */
    private static String version(Class<?> type, String groupId, String artifactId) {
        String implementation = type.getPackage().getImplementationVersion();
        if (implementation != null) {
            return implementation;
        }
        String resource = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = SideBySideBenchmark.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return "";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "");
        } catch (IOException ex) {
            return "";
        }
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
