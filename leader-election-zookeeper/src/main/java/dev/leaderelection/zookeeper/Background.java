package dev.leaderelection.zookeeper;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;

/** Turns Curator's background calls into futures; the answer arrives on Curator's event thread. */
final class Background {

    private Background() {}

    @FunctionalInterface
    interface Call {
        void start(BackgroundCallback callback) throws Exception;
    }

    /** Starts {@code call} in the background; completes with its event, whatever its result code. */
    static CompletableFuture<CuratorEvent> run(Call call) {
        CompletableFuture<CuratorEvent> answer = new CompletableFuture<>();
        try {
            call.start((client, event) -> answer.complete(event));
        } catch (Exception ex) {
            answer.completeExceptionally(ex);
        }
        return answer;
    }

    static KeeperException.Code code(CuratorEvent event) {
        return KeeperException.Code.get(event.getResultCode());
    }

    /** The event's error, for result codes the caller does not expect, to throw from a stage. */
    static CompletionException failure(CuratorEvent event) {
        return new CompletionException(KeeperException.create(code(event), event.getPath()));
    }
}
