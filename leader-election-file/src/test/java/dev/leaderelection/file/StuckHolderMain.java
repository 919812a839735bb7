package dev.leaderelection.file;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A process of {@link FileLeaseStoreProcessTests} whose elector is stuck: it takes the lease once and
 * never renews it, while the process lives on. Prints {@code EVENT GRANTED <election> <token>
 * <epoch micros>}.
 *
 * <p>Arguments: directory, instance id, lease in milliseconds, election.
 */
public final class StuckHolderMain {

    private StuckHolderMain() {}

    public static void main(String[] args) throws Exception {
        FileLeaseStore store = new FileLeaseStore(Path.of(args[0]));
        Duration lease = Duration.ofMillis(Long.parseLong(args[2]));
        System.out.println("EVENT STARTED - - " + StoreDirectory.nowMicros());
        while (true) {
            AcquireResult result = store.acquire(args[3], LeaseToken.random(args[1]), lease)
                    .toCompletableFuture()
                    .join();
            if (result instanceof AcquireResult.Granted granted) {
                System.out.println(
                        "EVENT GRANTED " + args[3] + " " + granted.fencingToken() + " " + StoreDirectory.nowMicros());
                System.out.flush();
                Thread.currentThread().join(); // stuck: never renews, never exits
            }
            Thread.sleep(50);
        }
    }
}
