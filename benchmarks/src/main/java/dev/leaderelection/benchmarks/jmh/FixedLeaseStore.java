package dev.leaderelection.benchmarks.jmh;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A lease store that always gives the same answer, so that a real elector settles in one role
 * without Redis: it grants every acquire and renewal, or it reports another holder for a long time.
 */
final class FixedLeaseStore implements LeaseStore {

    private static final LeaseHolder OTHER = new LeaseHolder("other", Duration.ofHours(1));

    private final boolean grants;

    private FixedLeaseStore(boolean grants) {
        this.grants = grants;
    }

    /** A store in which the elector wins. */
    static FixedLeaseStore granting() {
        return new FixedLeaseStore(true);
    }

    /** A store in which another instance holds the lease. */
    static FixedLeaseStore heldByAnother() {
        return new FixedLeaseStore(false);
    }

    @Override
    public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
        return CompletableFuture.completedFuture(grants ? new AcquireResult.Granted(1) : new AcquireResult.Held(OTHER));
    }

    @Override
    public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
        return CompletableFuture.completedFuture(grants);
    }

    @Override
    public CompletionStage<Boolean> release(String election, LeaseToken token) {
        return CompletableFuture.completedFuture(grants);
    }

    @Override
    public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
        return CompletableFuture.completedFuture(grants ? Optional.empty() : Optional.of(OTHER));
    }

    @Override
    public String kind() {
        return "fixed";
    }
}
