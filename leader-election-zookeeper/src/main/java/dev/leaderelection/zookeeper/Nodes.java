package dev.leaderelection.zookeeper;

import static dev.leaderelection.zookeeper.Background.code;
import static dev.leaderelection.zookeeper.Background.failure;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.jspecify.annotations.Nullable;

/**
 * The node reads and writes the store makes, each in Curator's background mode: futures that
 * complete with the event, whatever its result code, unless a method says otherwise.
 */
final class Nodes {

    private final CuratorFramework client;

    Nodes(CuratorFramework client) {
        this.client = client;
    }

    CompletableFuture<CuratorEvent> read(String path) {
        return Background.run(
                callback -> client.getData().inBackground(callback).forPath(path));
    }

    CompletableFuture<CuratorEvent> write(String path, byte[] data) {
        return Background.run(
                callback -> client.setData().inBackground(callback).forPath(path, data));
    }

    CompletableFuture<CuratorEvent> children(String path) {
        return Background.run(
                callback -> client.getChildren().inBackground(callback).forPath(path));
    }

    /** Creates {@code path} and its parents; fails unless it was created or already exists. */
    CompletableFuture<Void> create(String path, byte[] data, CreateMode mode) {
        return Background.run(callback -> client.create()
                        .creatingParentsIfNeeded()
                        .withMode(mode)
                        .inBackground(callback)
                        .forPath(path, data))
                .thenAccept(created -> {
                    if (code(created) != Code.OK && code(created) != Code.NODEEXISTS) {
                        throw failure(created);
                    }
                });
    }

    /** Writes {@code data} to {@code path}, created on first use; answers the write's mtime. */
    CompletableFuture<Long> touch(String path, byte[] data, CreateMode mode) {
        return write(path, data).thenCompose(event -> {
            Code code = code(event);
            if (code == Code.OK) {
                return CompletableFuture.completedFuture(event.getStat().getMtime());
            }
            if (code != Code.NONODE) {
                throw failure(event);
            }
            return create(path, data, mode)
                    .thenCompose(created -> write(path, data))
                    .thenApply(again -> {
                        if (code(again) != Code.OK) {
                            throw failure(again);
                        }
                        return again.getStat().getMtime();
                    });
        });
    }

    /** The server's clock now: the mtime of a write to the election's clock node. */
    CompletableFuture<Long> serverClock(ElectionPaths at) {
        return touch(at.clock(), new byte[0], CreateMode.PERSISTENT);
    }

    /** Deletes {@code path} if it still has {@code version}, without waiting for the answer. */
    void deleteQuietly(String path, int version) {
        Background.run(callback ->
                client.delete().withVersion(version).inBackground(callback).forPath(path));
    }

    static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.UTF_8);
    }

    /** The number a node holds; 0 for none or for anything else. */
    static long parseLong(byte @Nullable [] data) {
        if (data == null || data.length == 0) {
            return 0;
        }
        try {
            return Long.parseLong(new String(data, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException ex) {
            return 0;
        }
    }
}
