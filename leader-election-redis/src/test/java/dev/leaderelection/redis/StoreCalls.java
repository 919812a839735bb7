package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Waits for store calls in tests that talk to the Redis store directly. */
final class StoreCalls {

    private StoreCalls() {}

    /**
     * The call's answer, waiting at most 15 s: a bound for a failure, not a timing claim; a cold JVM
     * on a busy machine can take seconds over its first connection and script.
     */
    static <T> T answer(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError("store call failed", ex);
        }
    }

    /** The fencing token of an acquire that must be granted. */
    static long granted(CompletionStage<AcquireResult> stage) {
        AcquireResult result = answer(stage);
        assertThat(result).isInstanceOf(AcquireResult.Granted.class);
        return ((AcquireResult.Granted) result).fencingToken();
    }

    /** How long a held acquire was told to wait. */
    static Duration remaining(AcquireResult result) {
        assertThat(result).isInstanceOf(AcquireResult.Held.class);
        return Objects.requireNonNull(((AcquireResult.Held) result).holder().remaining());
    }

    /**
     * Asks until granted, again each time a hold of the restart guard ends, as a follower does, at
     * most three times; returns {@link System#nanoTime()} when it was granted.
     */
    static long askUntilGranted(RedisLeaseStore store, String election, LeaseToken token, Duration lease)
            throws InterruptedException {
        AcquireResult result = answer(store.acquire(election, token, lease));
        for (int asks = 1; result instanceof AcquireResult.Held held && asks <= 3; asks++) {
            assertThat(held.holder().instanceId()).isIn("(redis restarted)", "(redis failed over)");
            Thread.sleep(remaining(result).toMillis() + 1); // a follower's schedule, not a synchronisation
            result = answer(store.acquire(election, token, lease));
        }
        long grantedAt = System.nanoTime();
        assertThat(result).isInstanceOf(AcquireResult.Granted.class);
        return grantedAt;
    }
}
