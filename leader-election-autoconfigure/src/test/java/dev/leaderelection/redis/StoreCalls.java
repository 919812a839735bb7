package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.AcquireResult;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Waits for store calls in tests that talk to the Redis store directly. */
final class StoreCalls {

    private StoreCalls() {}

    /** The call's answer, waiting at most 5 s. */
    static <T> T answer(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
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
}
