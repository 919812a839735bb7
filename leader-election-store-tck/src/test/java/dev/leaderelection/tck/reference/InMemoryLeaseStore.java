package dev.leaderelection.tck.reference;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.ExpiryEnforcement;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One client of {@link SharedLeases}. Every operation reads and writes the shared record atomically,
 * as a compare-and-set on a resource version would; subclasses say only how much of a held record's
 * lease is left, which is where the two kinds of expiry differ.
 */
abstract class InMemoryLeaseStore implements LeaseStore {

    /** Who holds back grants after the data was lost, for want of a real holder to name. */
    static final String DATA_LOST = "(data lost)";

    protected final SharedLeases shared;

    InMemoryLeaseStore(SharedLeases shared) {
        this.shared = shared;
    }

    /** What is left of {@code record}'s lease for this client at {@code now}; empty once it has expired. */
    protected abstract Optional<Duration> remaining(String election, LeaseRecord record, long now);

    /** Called after this client wrote {@code record}. */
    protected void wrote(String election, LeaseRecord record, long now) {}

    @Override
    public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
        LeaseRecord next;
        synchronized (shared) {
            long now = System.nanoTime();
            shared.seen(election, token.instanceId(), ttl, now);
            LeaseRecord current = shared.read(election, now);
            if (current != null && current.isHeld() && !current.isHeldBy(token)) {
                Optional<Duration> left = remaining(election, current, now);
                if (left.isPresent()) {
                    return held(LeaseToken.instanceIdOf(current.holder()), left.get());
                }
            }
            if (current == null || !current.isHeld()) {
                Optional<Duration> hold = shared.holdAfterDataLoss(election, ttl, now);
                if (hold.isPresent()) {
                    return held(DATA_LOST, hold.get());
                }
            }
            next = LeaseRecord.granted(current, token, ttl, now);
            write(election, next, now);
        }
        shared.granted(election, token.instanceId(), next.fencingToken());
        return CompletableFuture.completedFuture(new AcquireResult.Granted(next.fencingToken()));
    }

    @Override
    public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
        synchronized (shared) {
            long now = System.nanoTime();
            shared.seen(election, token.instanceId(), ttl, now);
            LeaseRecord current = shared.read(election, now);
            if (current == null || !current.isHeldBy(token)) {
                return CompletableFuture.completedFuture(false);
            }
            write(election, current.renewed(ttl, now), now);
            return CompletableFuture.completedFuture(true);
        }
    }

    @Override
    public CompletionStage<Boolean> release(String election, LeaseToken token) {
        synchronized (shared) {
            long now = System.nanoTime();
            LeaseRecord current = shared.read(election, now);
            if (current == null || !current.isHeldBy(token)) {
                return CompletableFuture.completedFuture(false);
            }
            write(election, current.released(now), now);
        }
        shared.released(election);
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
        synchronized (shared) {
            long now = System.nanoTime();
            LeaseRecord current = shared.read(election, now);
            if (current == null || !current.isHeld()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            String holder = LeaseToken.instanceIdOf(current.holder());
            return CompletableFuture.completedFuture(
                    remaining(election, current, now).map(left -> new LeaseHolder(holder, left)));
        }
    }

    @Override
    public Subscription subscribe(String election, LeaseChangeListener listener) {
        return shared.subscribe(election, listener);
    }

    @Override
    public CompletionStage<List<Candidate>> candidates(String election) {
        return CompletableFuture.completedFuture(shared.candidates(election, System.nanoTime()));
    }

    @Override
    public ExpiryEnforcement expiry() {
        return shared.expiry();
    }

    private void write(String election, LeaseRecord record, long now) {
        shared.write(election, record);
        wrote(election, record, now);
    }

    private static CompletionStage<AcquireResult> held(String instanceId, Duration remaining) {
        return CompletableFuture.completedFuture(new AcquireResult.Held(new LeaseHolder(instanceId, remaining)));
    }
}
