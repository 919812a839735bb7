package dev.leaderelection.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The store's directory. When the store has to create it, the directory appears at once with a
 * marker that says when: a directory created anew may replace one that was deleted while a leader
 * held a lock in it, so grants in it wait one lease from that instant.
 */
final class StoreDirectory {

    static final String MARKER = ".created";

    private StoreDirectory() {}

    /** Creates {@code directory} with its marker unless it exists. */
    static void ensure(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Path parent = directory.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = parent.resolve("." + directory.getFileName() + "." + UUID.randomUUID() + ".new");
        Files.createDirectory(staging);
        try {
            Files.writeString(staging.resolve(MARKER), Long.toString(nowMicros()), StandardCharsets.UTF_8);
            Files.move(staging, directory, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException ex) {
            // another process created it first
        } finally {
            deleteRecursively(staging);
        }
    }

    /** When the store created {@code directory}, epoch microseconds; 0 if it found it there. */
    static long createdMicros(Path directory) throws IOException {
        try {
            return Long.parseLong(Files.readString(directory.resolve(MARKER), StandardCharsets.UTF_8)
                    .trim());
        } catch (NoSuchFileException ex) {
            return 0;
        } catch (NumberFormatException ex) {
            return nowMicros(); // a damaged marker: assume the worst, a directory created just now
        }
    }

    /** The identity of {@code file} (its inode where the platform has one), or null if it is missing. */
    static @Nullable Object identity(Path file) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.fileKey() != null ? attributes.fileKey() : attributes.creationTime();
        } catch (NoSuchFileException ex) {
            return null;
        }
    }

    static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(each);
            }
        } catch (NoSuchFileException ex) {
            // deleted meanwhile
        } catch (UncheckedIOException ex) {
            if (!(ex.getCause() instanceof NoSuchFileException)) {
                throw ex.getCause();
            }
        }
    }
}
