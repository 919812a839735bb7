package dev.leaderelection.testing.file;

import dev.leaderelection.testing.store.StoreServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The file store as a {@link StoreServer}: there is no server, so nothing to kill, freeze, restart or
 * put a proxy in front of ({@link #capabilities()} is empty and the fault suite reports those rows as
 * n/a). What it owns is the directory the applications elect in: a temporary directory that {@link
 * #start()} creates and {@link #close()} deletes. The directory exists before any application
 * starts, so the store's hold-back of a directory it creates itself (one lease) does not apply.
 *
 * <p>{@link #wipe()} deletes the directory's files (lock files, lease files, candidates) and keeps
 * the directory; it works, but is not advertised as {@link Capability#WIPE}: the suites' faults of a
 * file store are those of its holders (a crash, a freeze), none of a server.
 */
public final class FileStoreServer implements StoreServer {

    private @Nullable Path directory;

    /** A store whose directory {@link #start()} creates. */
    public FileStoreServer() {}

    @Override
    public String name() {
        return "file";
    }

    @Override
    public String displayName() {
        return "File";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public boolean keepsDataOnRestart() {
        return true; // the files stay where they are; there is no server to restart
    }

    /** Creates the store's directory, once: a new temporary directory. */
    @Override
    public synchronized void start() {
        if (directory == null) {
            try {
                directory = Files.createTempDirectory("leader-election-file-store-")
                        .toAbsolutePath()
                        .normalize();
            } catch (IOException ex) {
                throw new UncheckedIOException("Cannot create a directory for the file store", ex);
            }
        }
    }

    /** The directory the applications elect in. */
    public synchronized Path directory() {
        if (directory == null) {
            throw new IllegalStateException("The file store has no directory before start()");
        }
        return directory;
    }

    @Override
    public void kill() {
        throw unsupported("kill");
    }

    @Override
    public void freeze() {
        throw unsupported("freeze");
    }

    @Override
    public void resume() {
        throw unsupported("resume");
    }

    /** Deletes every file and folder in the store's directory; the directory stays. */
    @Override
    public void wipe() {
        Path root = directory();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
            for (Path child : children) {
                deleteTree(child);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot wipe " + root, ex);
        }
    }

    /** Whether the directory was created and not deleted by {@link #close()}. */
    @Override
    public synchronized boolean isRunning() {
        return directory != null;
    }

    @Override
    public OptionalInt port() {
        return OptionalInt.empty();
    }

    /** The profile, the store and {@code leader.election.file.directory}; {@code port} is ignored. */
    @Override
    public Map<String, String> applicationProperties(int port) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.profiles.active", name());
        properties.put("leader.election.store", name());
        properties.put("leader.election.file.directory", directory().toString());
        return properties;
    }

    @Override
    public String describe() {
        return "no server: OS file locks in " + directory() + " (one machine only)";
    }

    /** Deletes the directory and everything in it. */
    @Override
    public synchronized void close() {
        if (directory != null) {
            deleteTree(directory);
            directory = null;
        }
    }

    @Override
    public synchronized String toString() {
        return "file store in " + directory;
    }

    private UnsupportedOperationException unsupported(String what) {
        return new UnsupportedOperationException("The file store has no server to " + what);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(path);
                } catch (NoSuchFileException ex) {
                    // gone meanwhile
                }
            }
        } catch (NoSuchFileException ex) {
            // gone already
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot delete " + root, ex);
        } catch (UncheckedIOException ex) {
            if (!(ex.getCause() instanceof NoSuchFileException)) {
                throw ex;
            }
        }
    }
}
