package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionState;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.StoreCallOutcome;
import dev.leaderelection.StoreOperation;
import dev.leaderelection.ThreadPoolElectionScheduler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The smallest application that takes part in an election: one elector on a store client of its
 * own ({@link BenchmarkStores#elector}; on Redis a {@code RedisLeaderElector} on its own Lettuce
 * connections), wired as the starter wires it, without Spring Boot.
 *
 * <p>It prints every transition and store call as an {@link ElectorEvent} line, stamped with
 * {@link System#nanoTime()} at the moment it happens (a grant: right after {@code isLeader()} became
 * true). It obeys one command per line on standard input: {@code stop}, {@code start}, {@code
 * yield}, {@code exit}; at the end of input it stops gracefully and exits.
 *
 * <p>Arguments: {@code <store> <connection> <election> <instance id> <lease ms> <renew ms>
 * <operation timeout ms>}, where the connection is what {@link BenchmarkStore#connection()} gives
 * (for Redis its port).
 */
public final class ElectorApp {

    /** The key prefix of the elections the benchmarks run. */
    static final String KEY_PREFIX = "bench";

    private ElectorApp() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 7) {
            throw new IllegalArgumentException("Usage: ElectorApp <store> <connection> <election> <instance id>"
                    + " <lease ms> <renew ms> <operation timeout ms>");
        }
        ElectionTimings timings = BenchmarkSettings.timingsFrom(args, 4);
        ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(2, "leader-election-");
        BenchmarkStore.Elector client = BenchmarkStores.elector(args[0], args[1], args[2], args[3], timings, scheduler);
        LeaseLeaderElector elector = client.elector();
        elector.addListener(new Printer());
        elector.start();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command = commands.readLine();
                command != null && !command.equals("exit");
                command = commands.readLine()) {
            switch (command) {
                case "stop" -> {
                    print(ElectorEvent.line(ElectorEvent.STOP_CALLED));
                    elector.stop();
                    print(ElectorEvent.line(ElectorEvent.STOPPED));
                }
                case "start" -> elector.start();
                case "yield" -> {
                    print(ElectorEvent.line(ElectorEvent.YIELD_CALLED));
                    elector.yieldLeadership();
                }
                default -> System.err.println("Unknown command: " + command);
            }
        }
        client.close();
        scheduler.close();
        System.exit(0);
    }

    private static void print(String line) {
        System.out.println(line);
    }

    /** Prints the elector's transitions and store calls as they happen. */
    private static final class Printer implements LeadershipListener {

        @Override
        public void granted(Leadership leadership) {
            print(ElectorEvent.line(ElectorEvent.GRANTED, leadership.fencingToken()));
        }

        @Override
        public void revoked(Leadership leadership, RevocationReason reason) {
            print(ElectorEvent.line(ElectorEvent.REVOKED, reason));
        }

        @Override
        public void stateChanged(ElectionState from, ElectionState to) {
            print(ElectorEvent.line(ElectorEvent.STATE, to));
        }

        @Override
        public void storeCallCompleted(StoreOperation operation, StoreCallOutcome outcome, Duration latency) {
            print(ElectorEvent.line(ElectorEvent.STORE, operation, outcome, latency.toNanos()));
        }
    }
}
