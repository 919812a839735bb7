package dev.leaderelection.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The lease file of an election: the last fencing token handed out, the holder, and what the grants
 * wait for. Written whole to a temporary file and moved over the old one, so a reader sees the old
 * record or the new, never part of one.
 *
 * @param counter the last fencing token handed out
 * @param holder the holder's {@code LeaseToken#encoded()}, or empty when free
 * @param expiresMicros when the holder's lease ends, epoch microseconds (wall clock); 0 when free
 * @param sinceMicros grants count only a lease after this instant, epoch microseconds (0: at once)
 * @param lockKey the identity (inode) of the lock file this record belongs to
 * @param grantedTo the instance id of the grant with token {@code counter}, kept after its release so
 *     that a watcher that looks late still announces the grant
 */
record LeaseRecord(
        long counter, String holder, long expiresMicros, long sinceMicros, String lockKey, String grantedTo) {

    boolean held() {
        return !holder.isEmpty();
    }

    LeaseRecord free() {
        return new LeaseRecord(counter, "", 0, sinceMicros, lockKey, grantedTo);
    }

    LeaseRecord withExpiry(long micros) {
        return new LeaseRecord(counter, holder, micros, sinceMicros, lockKey, grantedTo);
    }

    /** The record in {@code file}, or null when there is none (or a hand-edited one that does not parse). */
    static @Nullable LeaseRecord read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException ex) {
            return null;
        }
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                fields.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        try {
            return new LeaseRecord(
                    Long.parseLong(fields.getOrDefault("counter", "0")),
                    fields.getOrDefault("holder", ""),
                    Long.parseLong(fields.getOrDefault("expires", "0")),
                    Long.parseLong(fields.getOrDefault("since", "0")),
                    fields.getOrDefault("lock", ""),
                    fields.getOrDefault("granted-to", ""));
        } catch (NumberFormatException ex) {
            return null;
        }
    }

    /**
     * Replaces the record in {@code file}; with {@code durable} the new content reaches the disk
     * (and so does the directory entry, where the platform allows) before this returns.
     */
    void write(Path file, boolean durable) throws IOException {
        String text = "counter=" + counter + "\nholder=" + holder + "\nexpires=" + expiresMicros + "\nsince="
                + sinceMicros + "\nlock=" + lockKey + "\ngranted-to=" + grantedTo + "\n";
        Path temporary = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel =
                    FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                if (durable) {
                    channel.force(true);
                }
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException ex) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        if (durable) {
            forceDirectory(file.getParent());
        }
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ex) {
            // Not every platform opens directories; the fencing floor at the clock covers a lost rename.
        }
    }
}
