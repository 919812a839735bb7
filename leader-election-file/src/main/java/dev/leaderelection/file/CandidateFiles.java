package dev.leaderelection.file;

import dev.leaderelection.store.Candidate;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The candidates of an election: a small file per instance under {@code .candidates/<election>/},
 * rewritten on each acquire and renew with the time of the call and its lease, listed while the
 * call is less than two leases old.
 */
final class CandidateFiles {

    private static final String PREFIX = "i-";

    private final Path directory;

    CandidateFiles(Path directory) {
        this.directory = directory;
    }

    /** Announces {@code instanceId}; creates nothing when the store directory itself is gone. */
    void touch(String election, String instanceId, Duration ttl) throws IOException {
        Path candidates = createDirectory(
                createDirectory(directory.resolve(".candidates")).resolve(election));
        String name = PREFIX + URLEncoder.encode(instanceId, StandardCharsets.UTF_8);
        Files.writeString(
                candidates.resolve(name),
                Instant.now().toEpochMilli() + "\n" + ttl.toMillis() + "\n",
                StandardCharsets.UTF_8);
    }

    List<Candidate> list(String election) throws IOException {
        List<Candidate> listed = new ArrayList<>();
        Instant now = Instant.now();
        try (DirectoryStream<Path> files =
                Files.newDirectoryStream(directory.resolve(".candidates").resolve(election), PREFIX + "*")) {
            for (Path file : files) {
                String[] fields = read(file);
                if (fields.length < 2) {
                    continue;
                }
                try {
                    Instant lastSeen = Instant.ofEpochMilli(Long.parseLong(fields[0].trim()));
                    Duration ttl = Duration.ofMillis(Long.parseLong(fields[1].trim()));
                    String instanceId = URLDecoder.decode(
                            file.getFileName().toString().substring(PREFIX.length()), StandardCharsets.UTF_8);
                    if (lastSeen.plus(ttl.multipliedBy(2)).isAfter(now)) {
                        listed.add(new Candidate(instanceId, lastSeen));
                    } else {
                        Files.deleteIfExists(file);
                    }
                } catch (IllegalArgumentException ex) {
                    // being rewritten right now, or not ours
                }
            }
        } catch (NoSuchFileException ex) {
            return List.of();
        }
        return listed;
    }

    private static String[] read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).split("\n");
        } catch (NoSuchFileException ex) {
            return new String[0];
        }
    }

    private static Path createDirectory(Path path) throws IOException {
        try {
            Files.createDirectory(path);
        } catch (FileAlreadyExistsException ex) {
            // there already
        }
        return path;
    }
}
