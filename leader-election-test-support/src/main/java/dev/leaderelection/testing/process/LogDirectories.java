package dev.leaderelection.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where processes started by tests, the demo and the benchmarks write their logs. */
public final class LogDirectories {

    private LogDirectories() {}

    /**
     * The directory {@code name} under the module's {@code target} when the working directory is a
     * module, else under the temporary directory; created if missing.
     */
    public static Path create(String name) {
        Path target = Path.of("target");
        Path dir =
                Files.isDirectory(target) ? target.resolve(name) : Path.of(System.getProperty("java.io.tmpdir"), name);
        try {
            return Files.createDirectories(dir);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot create " + dir, ex);
        }
    }
}
