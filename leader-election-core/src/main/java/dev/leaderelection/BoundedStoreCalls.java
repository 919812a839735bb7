package dev.leaderelection;

import dev.leaderelection.ElectionScheduler.Cancellable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Calls an elector's store, each call bounded by the operation timeout whatever the store's client
 * does, and reports every outcome with its latency to the elector's listeners, on the election thread.
 */
final class BoundedStoreCalls {

    private final ElectionScheduler scheduler;
    private final Executor electionThread;
    private final Duration operationTimeout;
    private final LeadershipListener listeners;

    BoundedStoreCalls(
            ElectionScheduler scheduler,
            Executor electionThread,
            Duration operationTimeout,
            LeadershipListener listeners) {
        this.scheduler = scheduler;
        this.electionThread = electionThread;
        this.operationTimeout = operationTimeout;
        this.listeners = listeners;
    }

    /** Sends {@code request}; the answer fails with {@link StoreTimeoutException} after the timeout. */
    <T> CompletableFuture<T> call(StoreOperation operation, Supplier<CompletionStage<T>> request) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        long sentAt = scheduler.nanoTime();
        answer.whenComplete((value, error) -> {
            Duration latency = Duration.ofNanos(scheduler.nanoTime() - sentAt);
            StoreCallOutcome outcome = error == null
                    ? StoreCallOutcome.SUCCESS
                    : error instanceof StoreTimeoutException ? StoreCallOutcome.TIMEOUT : StoreCallOutcome.FAILURE;
            electionThread.execute(() -> listeners.storeCallCompleted(operation, outcome, latency));
        });
        Cancellable timeout = scheduler.schedule(
                () -> answer.completeExceptionally(new StoreTimeoutException(operation, operationTimeout)),
                operationTimeout);
        try {
            request.get().whenComplete((value, error) -> {
                timeout.cancel();
                if (error != null) {
                    answer.completeExceptionally(error);
                } else {
                    answer.complete(value);
                }
            });
        } catch (RuntimeException ex) {
            timeout.cancel();
            answer.completeExceptionally(ex);
        }
        return answer;
    }
}
