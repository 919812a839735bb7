package dev.leaderelection.testing.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real etcd cluster of one or more {@link EtcdMember}s on loopback ports, each with its own data
 * directory. {@link #restart()} brings the whole cluster back from those directories; {@link
 * #close()} kills every member and deletes the data.
 */
public final class EtcdCluster implements AutoCloseable {

    private final Path baseDirectory;
    private final List<EtcdMember> members;

    private EtcdCluster(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("An etcd cluster needs at least one member, not " + size);
        }
        this.baseDirectory = EtcdMember.newBaseDirectory();
        List<EtcdMember> created = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            created.add(new EtcdMember("m" + i, baseDirectory));
        }
        String initialCluster =
                created.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
        String token = "leader-election-" + baseDirectory.getFileName();
        created.forEach(m -> m.joinAs(initialCluster, token));
        this.members = List.copyOf(created);
    }

    /**
     * Starts a cluster of {@code size} members and waits until every member is healthy.
     *
     * @throws IllegalStateException if there is no {@code etcd} executable ({@link EtcdBinary#HOW_TO_ENABLE})
     */
    public static EtcdCluster start(int size) {
        EtcdCluster cluster = new EtcdCluster(size);
        try {
            cluster.startAll();
        } catch (RuntimeException ex) {
            cluster.close();
            throw ex;
        }
        return cluster;
    }

    /** The members, in the order of their names ({@code m0}, {@code m1}, ...). */
    public List<EtcdMember> members() {
        return members;
    }

    /** One member. */
    public EtcdMember member(int index) {
        return members.get(index);
    }

    /** The client URLs of all members, as a client takes them ({@code http://127.0.0.1:port}). */
    public List<String> endpoints() {
        return members.stream().map(EtcdMember::clientUrl).toList();
    }

    /** Resumes frozen members, launches the ones not running, and waits until all are healthy. */
    public void startAll() {
        members.forEach(member -> {
            if (member.isRunning()) {
                member.resume();
            } else {
                member.launch();
            }
        });
        members.forEach(EtcdMember::awaitHealthy);
    }

    /** Kills every member (SIGKILL), keeping the data directories. */
    public void killAll() {
        members.forEach(EtcdMember::kill);
    }

    /** Kills every member and starts them again from their data directories. */
    public void restart() {
        killAll();
        startAll();
    }

    @Override
    public void close() {
        for (EtcdMember member : members) {
            try {
                member.resume();
            } catch (RuntimeException ignored) {
                // killed below anyway
            }
            member.kill();
        }
        deleteQuietly(baseDirectory);
    }

    @Override
    public String toString() {
        return "etcd cluster " + endpoints();
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
        } catch (IOException | UncheckedIOException ex) {
            // left for the build's clean: a test's result does not depend on it
        }
    }
}
