package dev.leaderelection.demo;

import dev.leaderelection.testing.process.AppProcess;
import dev.leaderelection.testing.process.LeaderStatus;
import dev.leaderelection.testing.store.StoreServer;
import dev.leaderelection.testing.store.StoreServer.Capability;
import dev.leaderelection.testing.store.StoreServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The demo's steps. Each step says what it does, does it, and waits until the instances and the
 * Telnet destination show the expected outcome; a step whose outcome does not come in time fails the
 * demo.
 *
 * <p>The store is the one {@link DemoOptions#store()} names, its server started by {@link
 * StoreServers}. Steps 4 and 5 stop and restart that server; a store without one (the file store:
 * its {@link StoreServer} supports neither kill nor restart) freezes the holder instead.
 *
 * <p>The instances relinquish leadership every {@link #RELINQUISH_INTERVAL} (step 2 shows it): long
 * enough for every other step to run within one term, short enough for step 2 to wait for it.
 */
final class DemoScenario implements AutoCloseable {

    /**
     * Three JVMs starting at once; on a shared 2-core machine under load (load average 24) they took
     * up to 190 s. Bounds startup only, measures nothing.
     */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(300);
    /** Generous bounds for a shared, busy machine; the timeline shows the real durations. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    /** {@code leader.election.relinquish.interval} of every instance; well within {@link #STEP_TIMEOUT}. */
    static final Duration RELINQUISH_INTERVAL = Duration.ofSeconds(12);

    private final DemoOptions options;
    private final Timeline timeline;
    private final List<Long> fencingTokens = new ArrayList<>();
    private @Nullable StoreServer store;
    private @Nullable TelnetDestination destination;
    private @Nullable Cluster cluster;
    private boolean closed;

    DemoScenario(DemoOptions options, Timeline timeline) {
        this.options = options;
        this.timeline = timeline;
    }

    void run() {
        if (!Files.isRegularFile(options.appJar())) {
            throw new DemoFailedException("The sample app's jar " + options.appJar()
                    + " does not exist: build it with ./mvnw -DskipTests package, or run ./demo.sh");
        }
        start();
        String leader = electOneLeader();
        leader = relinquish(leader);
        leader = killTheLeader(leader);
        if (store().supports(Capability.KILL) && store().supports(Capability.RESTART)) {
            stopStore(leader);
            restartStore();
        } else {
            freezeTheHolder(leader);
        }
        finish();
    }

    private void start() {
        StoreServer server = StoreServers.start(options.store());
        store = server;
        timeline.note("leader-election demo: " + options.instances()
                + " instances of the sample Telnet gateway elect one leader through " + server.displayName() + ".");
        timeline.note("Only the leader may hold the Telnet session; each leader relinquishes it after "
                + RELINQUISH_INTERVAL.toSeconds() + " s. Instance logs: " + options.logDir());
        timeline.step("0. start " + server.displayName() + ", the Telnet destination and the instances");
        timeline.add(server.name(), server.describe());
        TelnetDestination telnet = new TelnetDestination(timeline);
        destination = telnet;
        Cluster instances = new Cluster(timeline);
        cluster = instances;
        createLogDir();
        List<String> names = IntStream.rangeClosed(1, options.instances())
                .mapToObj(i -> "app-" + i)
                .toList();
        for (String name : names) {
            List<String> arguments = new ArrayList<>(StoreServer.arguments(server.applicationProperties()));
            arguments.addAll(List.of(
                    "--telnet.host=127.0.0.1",
                    "--telnet.port=" + telnet.port(),
                    "--leader.election.instance-id=" + name,
                    "--leader.election.relinquish.interval=" + RELINQUISH_INTERVAL.toSeconds() + "s",
                    "--spring.main.banner-mode=off"));
            AppProcess instance =
                    AppProcess.launch(name, options.appJar(), options.logDir().resolve(name + ".log"), arguments);
            instances.add(instance);
            timeline.add(
                    name, "started: java -jar " + options.appJar().getFileName() + " (pid " + instance.pid() + ")");
        }
    }

    /** Step 1: one leader, one session, held by the leader. */
    private String electOneLeader() {
        timeline.step("1. elect one leader; only it opens the Telnet session");
        cluster()
                .await(
                        "every instance to answer GET /actuator/leader",
                        STARTUP_TIMEOUT,
                        statuses ->
                                statuses.values().stream().noneMatch(status -> status.equals(LeaderStatus.STARTING)));
        String leader = awaitOneLeaderWithSession("one leader holding the only Telnet session");
        printCandidates(leader);
        return leader;
    }

    /**
     * The group view as the leader's {@code GET /actuator/leader} lists it ({@code candidates}),
     * once it lists every instance: each announces itself with every call it makes to the store.
     */
    private void printCandidates(String leader) {
        List<String> names = cluster().statuses().keySet().stream().sorted().toList();
        AppProcess instance = cluster().instance(leader);
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        List<Candidate> candidates = Candidate.listedBy(instance);
        while (!candidates.stream().map(Candidate::instanceId).toList().equals(names)) {
            if (System.nanoTime() > deadline) {
                throw new DemoFailedException("Expected " + leader + "'s GET /actuator/leader to list the candidates "
                        + names + " within " + STEP_TIMEOUT.toSeconds() + " s, but it lists " + candidates);
            }
            pause(Duration.ofMillis(200)); // the polling interval, not a synchronisation
            candidates = Candidate.listedBy(instance);
        }
        timeline.add(
                "demo",
                "candidates (GET /actuator/leader on " + leader + "): "
                        + candidates.stream()
                                .map(candidate -> candidate.instanceId() + " " + candidate.role())
                                .collect(Collectors.joining(", ")));
    }

    /**
     * Step 2: the leader's term reaches the relinquish interval; it steps down (reason {@code
     * RELINQUISHED}), closes its session before it releases the lease, and another instance takes
     * over with a fresh fencing token.
     */
    private String relinquish(String leader) {
        long token = fencingTokens.get(fencingTokens.size() - 1);
        timeline.step("2. wait for the leader (" + leader + ") to relinquish after " + RELINQUISH_INTERVAL.toSeconds()
                + " s: it closes its session, then releases the lease");
        String successor = cluster()
                .await(
                        "a leader other than " + leader,
                        STEP_TIMEOUT,
                        statuses -> statuses.entrySet().stream()
                                .anyMatch(entry -> entry.getValue().isLeader()
                                        && !entry.getKey().equals(leader)))
                .entrySet()
                .stream()
                .filter(entry -> entry.getValue().isLeader())
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
        String revoked =
                awaitLogLine(leader, "Leadership revoked: .* fencingToken=" + token + " reason=RELINQUISHED .*");
        timeline.add(leader, "log: " + revoked.substring(revoked.indexOf("Leadership revoked")));
        String next = awaitOneLeaderWithSession("another instance to take over the lease and the session");
        long nextToken = fencingTokens.get(fencingTokens.size() - 1);
        if (destination().mostOpenAtOnce() != 1) {
            throw new DemoFailedException("Two Telnet sessions were open at once around the relinquish");
        }
        timeline.add(
                "demo",
                "OK: " + leader + " relinquished; " + next + " took over with fencing token " + nextToken + " > "
                        + token + "; " + leader + "'s session closed before " + next + "'s opened");
        if (!next.equals(successor)) {
            timeline.add("demo", "(" + successor + " led briefly in between)");
        }
        return next;
    }

    /** The first line of {@code instance}'s log that matches {@code regex}, waiting up to a step's timeout. */
    private String awaitLogLine(String instance, String regex) {
        Pattern pattern = Pattern.compile(regex);
        Path log = options.logDir().resolve(instance + ".log");
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (true) {
            try (Stream<String> lines = Files.lines(log)) {
                Optional<String> found =
                        lines.filter(line -> pattern.matcher(line).find()).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            } catch (IOException | UncheckedIOException ex) {
                // not written yet, or a line cut in the middle: read again
            }
            if (System.nanoTime() > deadline) {
                throw new DemoFailedException("Expected a line matching '" + regex + "' in " + log + " within "
                        + STEP_TIMEOUT.toSeconds() + " s");
            }
            pause(Duration.ofMillis(200)); // the polling interval, not a synchronisation
        }
    }

    /** Step 3: SIGKILL the leader; another instance takes over once the lease runs out. */
    private String killTheLeader(String leader) {
        timeline.step("3. kill -9 the leader (" + leader + "): it cannot release its lease");
        Instant killedAt = Instant.now();
        AppProcess victim = cluster().kill(leader);
        timeline.add("demo", "killed " + leader + " (pid " + victim.pid() + ")");
        String successor = awaitOneLeaderWithSession("another instance to take over the lease and the session");
        LeaderStatus status = cluster().statuses().get(successor);
        long takeoverMillis = Duration.between(killedAt, status.since()).toMillis();
        timeline.add(
                "demo",
                "OK: " + successor + " took over " + takeoverMillis + " ms after the kill (lease "
                        + status.leaseDuration().toMillis() + " ms)");
        return successor;
    }

    /** Step 4: the store stops; nobody can prove a lease, so every instance stands by and the session closes. */
    private void stopStore(String leader) {
        String name = store().displayName();
        timeline.step("4. stop " + name + ": nobody can prove it holds the lease (fail-closed)");
        long leaseMillis = cluster().statuses().get(leader).leaseDuration().toMillis();
        long stoppedAt = timeline.elapsedMillis();
        store().kill();
        timeline.add(store().name(), "stopped (kill -9)");
        cluster()
                .await(
                        "every instance in STANDBY and no Telnet session open",
                        STEP_TIMEOUT,
                        statuses -> statuses.values().stream()
                                        .allMatch(status -> status.role().equals("STANDBY"))
                                && destination().sessions().isEmpty());
        long closedAfter = destination().lastClosedAtMillis() - stoppedAt;
        if (closedAfter > leaseMillis) {
            throw new DemoFailedException("The Telnet session closed " + closedAfter + " ms after " + name
                    + " stopped: later than the lease");
        }
        timeline.add(
                "demo",
                "OK: all in STANDBY; " + leader + " closed its session " + closedAfter + " ms after " + name
                        + " stopped, inside its " + leaseMillis + " ms lease");
    }

    /**
     * Step 5: the store comes back. If it lost its data (Redis without persistence), nobody is granted
     * the lease within one lease of the restart (a leader from before it may still trust its
     * deadline); then exactly one leader, with a higher fencing token.
     */
    private void restartStore() {
        boolean empty = !store().keepsDataOnRestart();
        timeline.step("5. restart " + store().displayName() + (empty ? " (empty)" : " (on its data)") + ": "
                + (empty ? "after one lease, " : "") + "exactly one leader and one session again");
        Instant restartedAt = Instant.now();
        store().start();
        timeline.add(store().name(), "started again, " + (empty ? "empty" : "on its data") + ", on the same port");
        String leader = awaitOneLeaderWithSession("exactly one leader holding the only Telnet session");
        LeaderStatus status = cluster().statuses().get(leader);
        long afterRestart = Duration.between(restartedAt, status.since()).toMillis();
        if (!empty) {
            timeline.add("demo", "OK: the first grant came " + afterRestart + " ms after the restart");
            return;
        }
        if (afterRestart < status.leaseDuration().toMillis()) {
            throw new DemoFailedException("A lease was granted " + afterRestart + " ms after an empty restart, "
                    + "within one lease: a leader from before the restart could still be acting");
        }
        timeline.add(
                "demo",
                "OK: the first grant came " + afterRestart + " ms after the restart, not within one lease ("
                        + status.leaseDuration().toMillis() + " ms): the restart guard");
    }

    /**
     * Steps 4 and 5 of a store without a server: the holder freezes (SIGSTOP) for two leases, then
     * runs again; never two sessions at once, and then exactly one leader with the only session.
     */
    private void freezeTheHolder(String leader) {
        long leaseMillis = cluster().statuses().get(leader).leaseDuration().toMillis();
        timeline.step("4. freeze the leader (" + leader + ", kill -STOP) for two leases");
        AppProcess holder = cluster().instance(leader);
        holder.freeze();
        timeline.add("demo", "froze " + leader + " (pid " + holder.pid() + ")");
        pause(Duration.ofMillis(2 * leaseMillis));
        timeline.step("5. let it run again (kill -CONT): exactly one leader and one session");
        holder.thaw();
        timeline.add("demo", "thawed " + leader);
        awaitOneLeaderWithSession("exactly one leader holding the only Telnet session");
    }

    /** Lets a fault last {@code duration}: the fault's length, not a synchronisation. */
    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new DemoFailedException("Interrupted while " + duration.toMillis() + " ms of a fault ran");
        }
    }

    private void finish() {
        timeline.step("6. stop everything");
        close();
        if (destination().mostOpenAtOnce() != 1) {
            throw new DemoFailedException(
                    destination().mostOpenAtOnce() + " Telnet sessions were open at the same time");
        }
        for (int i = 1; i < fencingTokens.size(); i++) {
            if (fencingTokens.get(i) <= fencingTokens.get(i - 1)) {
                throw new DemoFailedException("Fencing tokens did not increase: " + fencingTokens);
            }
        }
        timeline.add(
                "demo",
                "OK: never more than one Telnet session open; fencing tokens " + fencingTokens
                        + " increased with every grant; the destination refused "
                        + destination().refused()
                        + " lines with a stale fencing token");
        timeline.note("");
        timeline.note("Demo finished: every step went as expected.");
    }

    private String awaitOneLeaderWithSession(String expectation) {
        Map<String, LeaderStatus> statuses = cluster().await(expectation, STEP_TIMEOUT, this::hasOneLeaderWithSession);
        Map.Entry<String, LeaderStatus> leader = statuses.entrySet().stream()
                .filter(entry -> entry.getValue().isLeader())
                .findFirst()
                .orElseThrow();
        fencingTokens.add(leader.getValue().fencingToken());
        timeline.add(
                "demo",
                "OK: " + leader.getKey() + " leads (fencing token "
                        + leader.getValue().fencingToken() + "), "
                        + (statuses.size() - 1)
                        + " following; the destination has one session, from " + leader.getKey());
        return leader.getKey();
    }

    private boolean hasOneLeaderWithSession(Map<String, LeaderStatus> statuses) {
        List<String> leaders = statuses.entrySet().stream()
                .filter(entry -> entry.getValue().isLeader())
                .map(Map.Entry::getKey)
                .toList();
        boolean othersFollow = statuses.values().stream()
                .allMatch(status -> status.isLeader() || status.role().equals("FOLLOWER"));
        return leaders.size() == 1 && othersFollow && destination().sessions().equals(leaders);
    }

    /** Ctrl-C: stops everything, once. */
    void interrupted() {
        if (!isClosed()) {
            timeline.note("");
            timeline.note("Interrupted: stopping everything the demo started.");
            close();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cluster != null) {
            cluster.close();
            timeline.add("demo", "stopped the instances (SIGTERM)");
        }
        if (store != null) {
            store.close();
            timeline.add(store.name(), "stopped");
        }
        if (destination != null) {
            destination.close();
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private void createLogDir() {
        try {
            Files.createDirectories(options.logDir());
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot create " + options.logDir(), ex);
        }
    }

    private Cluster cluster() {
        return require(cluster);
    }

    private StoreServer store() {
        return require(store);
    }

    private TelnetDestination destination() {
        return require(destination);
    }

    private static <T> T require(@Nullable T started) {
        if (started == null) {
            throw new IllegalStateException("The demo has not started yet");
        }
        return started;
    }
}
