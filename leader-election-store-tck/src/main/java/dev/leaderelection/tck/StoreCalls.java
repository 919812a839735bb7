package dev.leaderelection.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseHolder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Waits for store calls and reads their answers. */
final class StoreCalls {

    private StoreCalls() {}

    static <T> T answer(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new AssertionError("store call failed", ex);
        }
    }

    static long granted(CompletionStage<AcquireResult> stage) {
        AcquireResult result = answer(stage);
        assertThat(result).isInstanceOf(AcquireResult.Granted.class);
        return ((AcquireResult.Granted) result).fencingToken();
    }

    /** What is left of the lease as the caller's client sees it: zero when it is free. */
    static Duration remaining(CompletionStage<Optional<LeaseHolder>> inspection) {
        return answer(inspection)
                .map(holder -> holder.remaining() == null ? Duration.ZERO : holder.remaining())
                .orElse(Duration.ZERO);
    }
}
