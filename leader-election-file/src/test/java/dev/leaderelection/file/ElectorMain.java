package dev.leaderelection.file;

import dev.leaderelection.ElectionTimings;
import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.ThreadPoolElectionScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A process of {@link FileLeaseStoreProcessTests}: electors of the given elections on one file store,
 * printing each grant and revocation as {@code EVENT GRANTED <election> <token> <epoch micros>} and
 * {@code EVENT REVOKED <election> <reason> <epoch micros>}. Runs until killed; SIGTERM releases.
 *
 * <p>Arguments: directory, instance id, lease in milliseconds, elections separated by commas.
 */
public final class ElectorMain {

    private ElectorMain() {}

    public static void main(String[] args) throws InterruptedException {
        Path directory = Path.of(args[0]);
        String instanceId = args[1];
        Duration lease = Duration.ofMillis(Long.parseLong(args[2]));
        ElectionTimings timings = ElectionTimings.builder()
                .leaseDuration(lease)
                .renewInterval(lease.dividedBy(4))
                .operationTimeout(lease.dividedBy(4))
                .retryInterval(lease.dividedBy(4))
                .build();
        FileLeaseStore store = new FileLeaseStore(directory);
        ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(2, "elector-");
        List<LeaseLeaderElector> electors = new ArrayList<>();
        for (String election : args[3].split(",")) {
            LeaseLeaderElector elector = new LeaseLeaderElector(election, instanceId, store, timings, scheduler);
            elector.addListener(new LeadershipListener() {
                @Override
                public void granted(Leadership leadership) {
                    print("GRANTED " + election + " " + leadership.fencingToken());
                }

                @Override
                public void revoked(Leadership leadership, RevocationReason reason) {
                    print("REVOKED " + election + " " + reason);
                }
            });
            electors.add(elector);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            electors.forEach(elector -> elector.stop(true));
            store.close();
        }));
        store.start();
        electors.forEach(LeaseLeaderElector::start);
        print("STARTED - -");
        Thread.currentThread().join();
    }

    private static synchronized void print(String event) {
        System.out.println("EVENT " + event + " " + StoreDirectory.nowMicros());
        System.out.flush();
    }
}
