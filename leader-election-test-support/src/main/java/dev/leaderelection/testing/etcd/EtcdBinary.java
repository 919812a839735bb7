package dev.leaderelection.testing.etcd;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Finds the {@code etcd} executable: the system property {@value #PATH_PROPERTY}, else {@code PATH}. */
public final class EtcdBinary {

    /** The system property that names the {@code etcd} executable to use instead of the one on {@code PATH}. */
    public static final String PATH_PROPERTY = "leader.election.test.etcd";

    /** What to do when there is none: the one line a skipped test shows. */
    public static final String HOW_TO_ENABLE =
            "etcd tests skipped: no 'etcd' on PATH; install it (Debian/Ubuntu: apt-get install etcd-server) "
                    + "or name the binary with -D" + PATH_PROPERTY + "=/path/to/etcd";

    private static final @Nullable Path FOUND = find().orElse(null);

    private EtcdBinary() {}

    /** The executable, if there is one. */
    public static Optional<Path> find() {
        String configured = System.getProperty(PATH_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured.trim());
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String searchPath = System.getenv("PATH");
        if (searchPath == null) {
            return Optional.empty();
        }
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, "etcd");
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Whether an executable was found when this class loaded. */
    public static boolean isAvailable() {
        return FOUND != null;
    }

    /**
     * The executable.
     *
     * @throws IllegalStateException if there is none, saying how to install one
     */
    public static Path path() {
        Path found = FOUND;
        if (found == null) {
            throw new IllegalStateException(HOW_TO_ENABLE);
        }
        return found;
    }
}
