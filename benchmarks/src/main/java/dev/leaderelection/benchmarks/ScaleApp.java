package dev.leaderelection.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.redis.RedisLeaseStore;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * One JVM that runs many elections at once, as an application with many leader-only jobs would:
 * one connection factory, one store and one scheduler of two worker threads (the starter's default) for
 * all of them. Nobody else competes, so this JVM leads every election and renews every lease.
 *
 * <p>After a warm-up it measures, over a window, the CPU time of the whole process and what Redis
 * did, and prints one line: {@code RESULT <elections> <share of one core> <share of one core without
 * JIT and GC threads> <Redis commands/s> <Redis requests/s> <Redis server share of one core>
 * <revocations> <leaders at the end> <JIT ms> <GC ms> <heap bytes in use after a full collection>}.
 *
 * <p>Arguments: {@code <redis port> <elections> <warm-up ms> <window ms> <lease ms> <renew ms>
 * <operation timeout ms>}.
 */
public final class ScaleApp {

    static final String RESULT = "RESULT";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private ScaleApp() {}

    public static void main(String[] args) {
        int status = 0;
        try {
            run(args);
        } catch (RuntimeException ex) {
            ex.printStackTrace();
            status = 1;
        }
        // Exit even if a library left a non-daemon thread behind: the harness waits for the end.
        System.exit(status);
    }

    private static void run(String[] args) {
        if (args.length != 7) {
            throw new IllegalArgumentException("Usage: ScaleApp <redis port> <elections> <warm-up ms> <window ms> "
                    + "<lease ms> <renew ms> <operation timeout ms>");
        }
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        Duration warmUp = Duration.ofMillis(Long.parseLong(args[2]));
        Duration window = Duration.ofMillis(Long.parseLong(args[3]));
        ElectionTimings timings = BenchmarkSettings.timingsFrom(args, 4);

        LettuceConnectionFactory connectionFactory = RedisConnections.factory(port, null);
        RedisLeaseStore store = new RedisLeaseStore(connectionFactory, ElectorApp.KEY_PREFIX);
        store.start(); // as the starter does: scripts loaded and the connection open before the electors start
        ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(2, "leader-election-");
        AtomicInteger revocations = new AtomicInteger();
        List<LeaseLeaderElector> electors = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            LeaseLeaderElector elector = new LeaseLeaderElector(
                    String.format(Locale.ROOT, "scale-%04d", i), "scale-app", store, timings, scheduler);
            elector.addListener(new LeadershipListener() {
                @Override
                public void revoked(Leadership leadership, RevocationReason reason) {
                    revocations.incrementAndGet();
                }
            });
            electors.add(elector);
            elector.start();
        }
        try (RedisStats stats = new RedisStats(port)) {
            Waits.until(
                    count + " leaders", START_TIMEOUT, () -> electors.stream().allMatch(LeaseLeaderElector::isLeader));
            Waits.sleep(warmUp);
            int revokedBefore = revocations.get();
            RedisStats.Snapshot redisBefore = stats.snapshot();
            long cpuBefore = processCpuNanos();
            long javaThreadsBefore = javaThreadsCpuNanos();
            long jitBefore = jitMillis();
            long gcBefore = gcMillis();
            long before = System.nanoTime();
            Waits.sleep(window);
            long cpu = processCpuNanos() - cpuBefore;
            long javaThreads = javaThreadsCpuNanos() - javaThreadsBefore;
            long elapsed = System.nanoTime() - before;
            long jit = jitMillis() - jitBefore;
            long gc = gcMillis() - gcBefore;
            RedisStats.Rates redis = stats.snapshot().since(redisBefore);
            long leaders =
                    electors.stream().filter(LeaseLeaderElector::isLeader).count();
            long heap = heapInUseAfterCollection();
            System.out.printf(
                    Locale.ROOT,
                    "%s %d %.6f %.6f %.3f %.3f %.6f %d %d %d %d %d%n",
                    RESULT,
                    count,
                    (double) cpu / elapsed,
                    (double) javaThreads / elapsed,
                    redis.commandsPerSecond(),
                    redis.requestsPerSecond(),
                    redis.cpuShare(),
                    revocations.get() - revokedBefore,
                    leaders,
                    jit,
                    gc,
                    heap);
        } finally {
            electors.forEach(LeaseLeaderElector::stop);
            store.close();
            scheduler.close();
            connectionFactory.destroy();
        }
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time of the threads the JVM lists: all but the JIT compilers' and the collectors'. */
    private static long javaThreadsCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : threads.getAllThreadIds()) {
            total += Math.max(0, threads.getThreadCpuTime(id));
        }
        return total;
    }

    /** Heap in use once the collector has run twice: what the live objects (the elections) take. */
    private static long heapInUseAfterCollection() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long jitMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .sum();
    }
}
