package dev.leaderelection.tck;

import static dev.leaderelection.tck.StoreCalls.answer;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A candidate that asks for the lease again and again, as an elector does, until it is granted or
 * {@code atMost} has passed; it remembers who held the lease meanwhile.
 *
 * @param fencingToken the token of the grant
 * @param grantedAt {@link System#nanoTime()} when the grant's answer arrived: no earlier than the grant
 * @param refusals the holders named by the refusals before the grant, in order
 */
record Campaign(long fencingToken, long grantedAt, List<LeaseHolder> refusals) {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(10);

    static Campaign untilGranted(LeaseStore client, String election, LeaseToken token, Duration ttl, Duration atMost) {
        List<LeaseHolder> refusals = new CopyOnWriteArrayList<>();
        AtomicLong fencingToken = new AtomicLong();
        AtomicLong grantedAt = new AtomicLong();
        await("a grant of " + election + " to " + token.instanceId())
                .atMost(atMost)
                .pollDelay(Duration.ZERO)
                .pollInterval(POLL_INTERVAL)
                .until(() -> {
                    AcquireResult result = answer(client.acquire(election, token, ttl));
                    if (result instanceof AcquireResult.Granted granted) {
                        grantedAt.set(System.nanoTime());
                        fencingToken.set(granted.fencingToken());
                        return true;
                    }
                    refusals.add(((AcquireResult.Held) result).holder());
                    return false;
                });
        return new Campaign(fencingToken.get(), grantedAt.get(), List.copyOf(refusals));
    }

    /** How long after {@code nanoTime} the grant's answer arrived. */
    Duration grantedAfter(long nanoTime) {
        return Duration.ofNanos(grantedAt - nanoTime);
    }
}
