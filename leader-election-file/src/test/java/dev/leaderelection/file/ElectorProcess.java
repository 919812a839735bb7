package dev.leaderelection.file;

import dev.leaderelection.testing.process.LogDirectories;
import dev.leaderelection.testing.process.Signals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** An {@link ElectorMain} in a JVM of its own, on the test class path; remembers what it printed. */
final class ElectorProcess implements AutoCloseable {

    /** A line {@code EVENT <kind> <election> <detail> <epoch micros>} of the process. */
    record Event(String kind, String election, String detail, long micros) {}

    private final String name;
    private final Process process;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private volatile long killedAt;
    private volatile long frozenAt;
    private volatile long thawedAt;

    private ElectorProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(() -> read(log), "read-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static ElectorProcess launch(String name, Path directory, Duration lease, String elections) {
        return launch(ElectorMain.class, name, directory, lease, elections);
    }

    /** Runs {@code main} (a class of this package with the same arguments as {@link ElectorMain}). */
    static ElectorProcess launch(Class<?> main, String name, Path directory, Duration lease, String elections) {
        Path log = LogDirectories.create("file-processes").resolve(name + ".log");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName(),
                directory.toString(),
                name,
                Long.toString(lease.toMillis()),
                elections);
        try {
            return new ElectorProcess(
                    name,
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectInput(Redirect.PIPE)
                            .start(),
                    log);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot launch " + command, ex);
        }
    }

    String name() {
        return name;
    }

    boolean started() {
        return events.stream().anyMatch(event -> event.kind().equals("STARTED"));
    }

    /** The fencing token of the term this process believes it holds in {@code election}, or null. */
    @Nullable
    Long leading(String election) {
        if (killedAt != 0 || isFrozen()) {
            return null;
        }
        Event last = null;
        for (Event event : events) {
            if (event.election().equals(election)) {
                last = event;
            }
        }
        return last != null && last.kind().equals("GRANTED") ? Long.valueOf(last.detail()) : null;
    }

    List<Event> events(String election) {
        return events.stream()
                .filter(event -> event.election().equals(election))
                .toList();
    }

    /** SIGKILL; returns when the process is gone. */
    void kill() throws InterruptedException {
        killedAt = StoreDirectory.nowMicros();
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    void freeze() {
        frozenAt = StoreDirectory.nowMicros();
        Signals.stop(process.pid());
    }

    void thaw() {
        Signals.resume(process.pid());
        thawedAt = StoreDirectory.nowMicros();
    }

    boolean isFrozen() {
        return frozenAt != 0 && thawedAt < frozenAt;
    }

    long killedAt() {
        return killedAt;
    }

    long frozenAt() {
        return frozenAt;
    }

    long thawedAt() {
        return thawedAt;
    }

    @Override
    public void close() throws InterruptedException {
        if (isFrozen()) {
            thaw();
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private void read(Path log) {
        try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                out.write(line + "\n");
                out.flush();
                String[] fields = line.split(" ");
                if (fields.length == 5 && fields[0].equals("EVENT")) {
                    events.add(new Event(fields[1], fields[2], fields[3], Long.parseLong(fields[4])));
                }
            }
        } catch (IOException ex) {
            // the process is gone
        }
    }
}
