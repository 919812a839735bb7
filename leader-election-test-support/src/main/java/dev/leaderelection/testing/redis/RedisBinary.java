package dev.leaderelection.testing.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** Finds a {@code redis-server} executable: on {@code PATH}, else the one embedded-redis ships. */
final class RedisBinary {

    private static final String NAME = "redis-server";

    private static @Nullable Path path;

    private RedisBinary() {}

    /** The executable; an embedded one is extracted once per JVM. */
    static synchronized Path path() {
        if (path == null) {
            path = onPath().orElseGet(RedisBinary::extractEmbedded);
        }
        return path;
    }

    private static Optional<Path> onPath() {
        String searchPath = System.getenv().getOrDefault("PATH", "");
        return Stream.of(searchPath.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, NAME))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static Path extractEmbedded() {
        String resource = embeddedResource();
        try (InputStream in = RedisBinary.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "Resource " + resource + " not found: is embedded-redis on the classpath?");
            }
            Path dir = Files.createTempDirectory(NAME);
            Path binary = dir.resolve(NAME);
            dir.toFile().deleteOnExit();
            binary.toFile().deleteOnExit();
            Files.copy(in, binary);
            if (!binary.toFile().setExecutable(true)) {
                throw new IllegalStateException("Cannot make " + binary + " executable");
            }
            return binary;
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot extract " + resource, ex);
        }
    }

    private static String embeddedResource() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        boolean mac = os.contains("mac") || os.contains("darwin");
        if (os.contains("linux") && x64) {
            return "redis-server-6.2.6-v5-linux-amd64";
        }
        if (os.contains("linux") && arm64) {
            return "redis-server-6.2.7-linux-arm64";
        }
        if (mac && x64) {
            return "redis-server-6.2.6-v5-darwin-amd64";
        }
        if (mac && arm64) {
            return "redis-server-6.2.6-v5-darwin-arm64";
        }
        throw new IllegalStateException(
                "No embedded redis-server for " + os + "/" + arch + ": put redis-server on PATH or run Docker");
    }
}
