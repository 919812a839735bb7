package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionTimings;
import dev.leaderelection.benchmarks.jmh.LeaderOnlyBenchmarkRun;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Writes {@code docs/benchmarks.md}: the targets with the measured figures, then each benchmark. */
final class BenchmarkReport {

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final BenchmarkResults results;
    private final StringBuilder out = new StringBuilder();

    private BenchmarkReport(BenchmarkResults results) {
        this.results = results;
    }

    /** The report of {@code results}, naming {@code command} as the way to reproduce it. */
    static String markdown(BenchmarkResults results, String command) {
        return new BenchmarkReport(results).write(command);
    }

    private String write(String command) {
        BenchmarkSettings settings = results.settings();
        MachineInfo machine = results.machine();
        ElectionTimings timings = settings.timings();
        line("# Benchmarks");
        line();
        line("Figures of one run of the benchmark harness (`benchmarks/`), written by the harness itself. Reproduce:");
        line();
        line("```bash");
        line(command);
        line("```");
        line();
        line("- Date: " + DATE.format(results.started()) + "; the run took "
                + Duration.between(results.started(), results.finished()).toMinutes() + " min.");
        line("- Machine: " + machine.cpu() + ", " + machine.cores() + " cores, " + machine.memoryGiB() + " GiB; "
                + machine.os() + ". Shared with other builds while measuring, so figures are noisy: medians,"
                + " and ratios taken within this one run, say more than single values.");
        line("- JDK: " + machine.jdk() + ".");
        line("- Redis: " + machine.redis() + ", a `redis-server` process on loopback, no persistence.");
        line("- Election timings (those of the sample app): lease " + millis(timings.leaseDuration()) + ", renew "
                + millis(timings.renewInterval()) + ", operation timeout " + millis(timings.operationTimeout())
                + ", drift margin " + millis(timings.driftMargin()) + ", yield cooldown "
                + millis(timings.yieldCooldown()) + "; everything else at its default.");
        line();
        writeTargets();
        writeFailover();
        writeLoad();
        writeStores();
        out.append(sideBySide(results.sideBySide()));
        writeGuard();
        writeScale();
        return out.toString();
    }

    private void writeTargets() {
        List<Targets.Target> targets = Targets.of(results);
        line("## Targets");
        line();
        line("| target | measured | verdict |");
        line("|---|---|---|");
        for (Targets.Target target : targets) {
            line("| " + target.goal() + " | " + target.measured() + " | "
                    + (target.met() ? "met" : "**missed** by " + target.shortfall()) + " |");
        }
        line();
        for (Targets.Target target : targets) {
            if (!target.met()) {
                line("**" + target.goal() + ": missed.** " + target.whyMissed());
                line();
            }
        }
    }

    private void writeFailover() {
        BenchmarkSettings settings = results.settings();
        FailoverBenchmark.Result failover = results.failover();
        double lease = settings.leaseDuration().toMillis();
        line("## Failover and hand-off");
        line();
        line(settings.instances() + " elector processes (`ElectorApp`: one `RedisLeaderElector`, its own Lettuce"
                + " connections, no Spring Boot) in one election. Times in ms.");
        line();
        line("| move | rounds | median | p95 | min | max | median / lease |");
        line("|---|---|---|---|---|---|---|");
        distribution("takeover after SIGKILL of the leader", failover.crashTakeover(), lease);
        distribution("of which past the end of the dead leader's lease", failover.crashOvershoot(), lease);
        distribution("hand-off after a graceful stop", failover.stopHandOff(), lease);
        distribution("hand-off after a yield", failover.yieldHandOff(), lease);
        line();
        line("Each move is timed from its cause to the successor's grant, both stamped with `System.nanoTime()`"
                + " (on Linux `CLOCK_MONOTONIC`, one clock for every process of the machine): the harness stamps"
                + " just before it sends SIGKILL; the leader stamps the start of `stop()` or `yieldLeadership()`;"
                + " the successor stamps its grant in its `LeadershipListener`, right after `isLeader()` became"
                + " true, so the pipe to the harness is not counted. Kills fall at a random point of the renewal"
                + " cycle, so a crash leaves between lease - renew interval and the whole lease to run out; the"
                + " second row is what the takeover adds past that end, read from Redis (`PTTL` of the lease key)"
                + " right after the kill. Before each round the harness waits until every elector"
                + " listens on the release channel (`PUBSUB NUMSUB`): an elector subscribes in the background when it"
                + " starts and can follow before it listens, and a release in that gap reaches only the others.");
        line();
    }

    private void writeLoad() {
        StoreLoadBenchmark.Result load = results.load();
        line("## Store load of idle followers");
        line();
        line("One leader and idle followers of one election, each with its own connections, counted with `INFO`"
                + " over " + seconds(results.settings().loadWindow()) + " per point. *Commands* are"
                + " `total_commands_processed`, which counts each `redis.call` inside a script; *requests* are the"
                + " commands clients sent (one `EVALSHA` per store call). The counter's own `INFO` calls are left"
                + " out.");
        line();
        line("| followers | commands/s | requests/s | Redis CPU | commands/s per follower | requests/s per follower |");
        line("|---|---|---|---|---|---|");
        StoreLoadBenchmark.Point alone = load.leaderAlone();
        line("| 0 (leader alone) | " + number(alone.rates().commandsPerSecond(), 2) + " | "
                + number(alone.rates().requestsPerSecond(), 2) + " | "
                + percent(alone.rates().cpuShare())
                + " | | |");
        for (StoreLoadBenchmark.Point point : load.withFollowers()) {
            line("| " + point.followers() + " | " + number(point.rates().commandsPerSecond(), 2) + " | "
                    + number(point.rates().requestsPerSecond(), 2) + " | "
                    + percent(point.rates().cpuShare())
                    + " | " + number(load.commandsPerFollower(point), 2) + " | "
                    + number(load.requestsPerFollower(point), 2) + " |");
        }
        line();
        line("Per follower: the growth over the leader alone, divided by the number of followers.");
        line();
    }

    /** One row per store, the same measurements side by side (Redis' are those of the two sections above). */
    private void writeStores() {
        line("## Stores side by side");
        line();
        line("Failover and hand-off as above, and the store load of idle followers, for each store of the run"
                + " (`-D" + BenchmarkStores.PROPERTY + "=<store>,...` adds stores; Redis always runs). Medians in ms;"
                + " requests per idle follower at the largest follower count, n/a where the store's server cannot"
                + " count its requests.");
        line();
        line("| store | server | takeover after SIGKILL | past the lease's end | hand-off after a graceful stop"
                + " | hand-off after a yield | requests/s per idle follower |");
        line("|---|---|---|---|---|---|---|");
        for (StoreRun run : results.stores()) {
            FailoverBenchmark.Result failover = run.failover();
            StoreLoadBenchmark.Result load = run.load();
            String perFollower = load == null || load.withFollowers().isEmpty()
                    ? "n/a"
                    : number(
                            load.requestsPerFollower(load.withFollowers()
                                    .get(load.withFollowers().size() - 1)),
                            2);
            line("| " + run.displayName() + " | " + run.server() + " | "
                    + number(failover.crashTakeover().median(), 1) + " | "
                    + (failover.crashOvershoot() == null
                            ? "n/a"
                            : number(failover.crashOvershoot().median(), 1))
                    + " | " + number(failover.stopHandOff().median(), 1) + " | "
                    + number(failover.yieldHandOff().median(), 1) + " | " + perFollower + " |");
        }
        line();
    }

    /**
     * The side-by-side section: one column per contender, this project's first, with how it was
     * measured.
     */
    static String sideBySide(SideBySideBenchmark.Result peers) {
        BenchmarkSettings settings = SideBySideBenchmark.TIMINGS;
        StringBuilder text = new StringBuilder();
        List<SideBySideBenchmark.Row> rows = peers.rows();
        SideBySideBenchmark.Settings run = peers.settings();
        text.append("## Side by side\n\n");
        text.append("Whole Spring Boot applications (web server on, `peers` package of the benchmark module), ")
                .append(run.instances())
                .append(" processes of each (`")
                .append(String.join(" ", run.jvmOptions()))
                .append("`) in one election on the same `redis-server`, lease ")
                .append(millis(settings.leaseDuration()))
                .append(", measured by the same harness one contender after the other. Every library at its")
                .append(" defaults except the lease: this project's starter (renew ")
                .append(millis(settings.renewInterval()))
                .append(", operation timeout ")
                .append(millis(settings.operationTimeout()))
                .append(", as the sample app); Spring Integration's `LockRegistryLeaderInitiator` on a")
                .append(" `RedisLockRegistry` whose locks expire after the lease; a thread that blocks in")
                .append(" Redisson's `RLock.lockInterruptibly()`, leads while it holds the lock and unlocks on")
                .append(" stop (a `SmartLifecycle` in the default phase), `lockWatchdogTimeout` = lease. ")
                .append(run.handOffRounds())
                .append(" SIGTERMs and ")
                .append(run.crashRounds())
                .append(" SIGKILLs per contender; times in ms.\n\n");
        text.append("| figure |");
        rows.forEach(
                row -> text.append(' ').append(row.contender().displayName()).append(" |"));
        text.append("\n|---|");
        rows.forEach(row -> text.append("---|"));
        text.append('\n');
        sideBySideRow(
                text,
                rows,
                "SIGTERM of the leader -> successor's grant, median (p95)",
                row -> number(row.handOff().median(), 1) + " ("
                        + number(row.handOff().p95(), 1) + ")");
        sideBySideRow(
                text,
                rows,
                "of which SIGTERM -> the old leader's revocation, median",
                row -> number(row.revocation().median(), 1));
        sideBySideRow(
                text,
                rows,
                "crash: successor's grant past the dead lease's expiry in Redis, median (p95)",
                row -> number(row.crashOvershoot().median(), 1) + " ("
                        + number(row.crashOvershoot().p95(), 1) + ")");
        sideBySideRow(
                text,
                rows,
                "crash: SIGKILL -> successor's grant, median",
                row -> number(row.crashTakeover().median(), 0));
        sideBySideRow(
                text,
                rows,
                "Redis commands/s per idle follower, as Redis counts them (requests/s)",
                row -> number(row.commandsPerFollower(), 2) + " (" + number(row.requestsPerFollower(), 2) + ")");
        sideBySideRow(
                text,
                rows,
                "Redis commands/s of the leader alone (requests/s)",
                row -> number(row.leaderAlone().commandsPerSecond(), 2) + " ("
                        + number(row.leaderAlone().requestsPerSecond(), 2) + ")");
        text.append('\n');
        text.append("The harness stamps `System.nanoTime()` just before it signals the leader; the successor")
                .append(" stamps its grant where the library tells the application (this project: its")
                .append(" `LeadershipGrantedEvent` listener; Spring Integration: `Candidate.onGranted`; Redisson:")
                .append(" the return of `lockInterruptibly()`). The expiry of a dead lease is read from Redis")
                .append(" (`PTTL` of the contender's lease or lock key) right after the kill. Idle followers: Redis'")
                .append(" counters over ")
                .append(seconds(run.loadWindow()))
                .append(" with the leader alone, then with every instance, counted as in the store-load table")
                .append(" (*requests* leave out the commands run inside scripts); per follower, the growth")
                .append(" divided by the followers.\n\n");
        return text.toString();
    }

    private static void sideBySideRow(
            StringBuilder text,
            List<SideBySideBenchmark.Row> rows,
            String figure,
            java.util.function.Function<SideBySideBenchmark.Row, String> value) {
        text.append("| ").append(figure).append(" |");
        rows.forEach(row -> text.append(' ').append(value.apply(row)).append(" |"));
        text.append('\n');
    }

    private void writeGuard() {
        LeaderOnlyBenchmarkRun.Result guard = results.guard();
        BenchmarkSettings settings = results.settings();
        line("## `@LeaderOnly` (JMH)");
        line();
        line("`LeaderOnlyBenchmark`: the shipped `LeaderOnlyInterceptor`, applied by `LeaderOnlyBeanPostProcessor`"
                + " as the starter applies it (CGLIB class proxy, highest precedence), and a real"
                + " `LeaseLeaderElector` settled as leader or follower by an in-memory store. Time per call:"
                + " the median of the measured iterations, then JMH's mean with its 99.9% interval; "
                + settings.jmhForks() + " fork, " + settings.jmhWarmUpIterations() + " x "
                + seconds(settings.jmhIterationTime()) + " warm-up, " + settings.jmhIterations() + " x "
                + seconds(settings.jmhIterationTime()) + " measured.");
        line();
        line("| benchmark | what | median ns/op | mean ns/op |");
        line("|---|---|---|---|");
        guardRow(guard, "plainCall", "the method called on the bean itself");
        guardRow(guard, "plainCallThroughProxy", "an unguarded method of the proxied bean");
        guardRow(guard, "isLeader", "`LeaderElector.isLeader()` alone");
        guardRow(guard, "proxyAndClockRead", "the floor: the same proxy, advice that only reads `System.nanoTime()`");
        guardRow(guard, "leaderOnlyOnLeader", "`@LeaderOnly` method on the leader");
        guardRow(guard, "leaderOnlyOnFollowerSkipsVoid", "on a follower: `void` method skipped");
        guardRow(guard, "leaderOnlyOnFollowerReturnsNull", "on a follower: `onFollower = SKIP` returns null");
        guardRow(guard, "leaderOnlyOnFollowerThrows", "on a follower: throws `NotLeaderException`");
        line();
        line("On the leader the guard adds " + number(guard.leaderOverheadNanos(), 1)
                + " ns to the plain call, " + number(guard.aboveFloorNanos(), 1)
                + " ns to the floor (medians).");
        line();
    }

    private void writeScale() {
        BenchmarkSettings settings = results.settings();
        ScaleBenchmark.Result scale = results.scale();
        line("## Many elections in one JVM");
        line();
        line("`ScaleApp`, a fresh JVM (`" + String.join(" ", ScaleBenchmark.JVM_OPTIONS) + "`) per row: N elections"
                + " sharing one connection factory, one store and one scheduler (two worker threads and a timer"
                + " thread, the starter's default), all led by that JVM. CPU is the process's CPU time over a "
                + seconds(settings.scaleWindow()) + " window after " + seconds(settings.scaleWarmUp())
                + " of warm-up. *Java threads* leaves out the JIT compilers' and the collectors' threads: the"
                + " elections' own work once the code is compiled. JIT and GC are the compilers' and collectors'"
                + " time within the window. A lost lease is a renewal that did not answer within the operation"
                + " timeout: the election stepped down, as it must. Heap per election is the heap in use after two"
                + " full collections at the end of the window, over that of the smallest row, per election more.");
        line();
        line("| elections | renew | JVM CPU (of one core) | of which Java threads | per election | Redis commands/s per"
                + " election | Redis requests/s per election | Redis server CPU | JIT / GC ms | heap per election |"
                + " leases lost |");
        line("|---|---|---|---|---|---|---|---|---|---|---|");
        scale.all().forEach(point -> scaleRow(point, scale.heapBytesPerElection(point)));
        line();
        ScaleBenchmark.Point first = scale.points().get(0);
        ScaleBenchmark.Point largest = scale.largest();
        double renewals = largest.renewalsPerSecond() - first.renewalsPerSecond();
        if (scale.points().size() > 1 && renewals > 0) {
            line("From " + first.run().elections() + " to " + largest.run().elections() + " elections the JVM"
                    + " spends " + number((largest.cpuShare() - first.cpuShare()) * 1e6 / renewals, 0)
                    + " µs of CPU per renewal.");
        }
        line("Renewals that fall due at one tick go to Redis in one script call: at "
                + largest.run().elections()
                + " elections " + number(largest.renewalsPerSecond() / largest.requestsPerSecond(), 0)
                + " renewals per request; one election alone sends one request per renew interval ("
                + number(1000.0 / settings.renewInterval().toMillis(), 1) + "/s at "
                + settings.renewInterval().toMillis() + " ms).");
        line();
    }

    private void scaleRow(ScaleBenchmark.Point point, double heapBytesPerElection) {
        ScaleBenchmark.Case run = point.run();
        line("| " + run.elections() + " | " + millis(run.timings().renewInterval()) + " (lease "
                + millis(run.timings().leaseDuration()) + ") | " + percent(point.cpuShare())
                + " | " + percent(point.javaThreadsCpuShare()) + " | "
                + percent(point.cpuSharePerElection()) + " | " + number(point.commandsPerElection(), 2)
                + " | " + number(point.requestsPerElection(), 2) + " | " + percent(point.redisCpuShare()) + " | "
                + point.jitMillis() + " / " + point.gcMillis() + " | "
                + (Double.isNaN(heapBytesPerElection) ? "" : number(heapBytesPerElection / 1024, 1) + " KiB")
                + " | " + point.revocations() + " |");
    }

    private void distribution(String what, Distribution values, double lease) {
        line("| " + what + " | " + values.count() + " | " + number(values.median(), 1) + " | "
                + number(values.p95(), 1) + " | " + number(values.min(), 1) + " | " + number(values.max(), 1)
                + " | " + number(values.median() / lease, 3) + " |");
    }

    private void guardRow(LeaderOnlyBenchmarkRun.Result guard, String benchmark, String what) {
        LeaderOnlyBenchmarkRun.Score score = guard.score(benchmark);
        line("| `" + benchmark + "` | " + what + " | " + number(score.nanos(), 1) + " | " + number(score.mean(), 1)
                + (Double.isNaN(score.error()) ? "" : " ± " + number(score.error(), 1)) + " |");
    }

    private void line(String text) {
        out.append(text).append('\n');
    }

    private void line() {
        out.append('\n');
    }

    static String number(double value, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    static String percent(double share) {
        return number(share * 100, share < 0.01 ? 2 : 1) + "%";
    }

    private static String millis(Duration duration) {
        return duration.toMillis() + " ms";
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
