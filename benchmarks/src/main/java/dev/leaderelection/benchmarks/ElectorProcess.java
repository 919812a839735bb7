package dev.leaderelection.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An {@link ElectorApp} in a JVM of its own, seen from the harness: its events go to an {@link EventLog}. */
final class ElectorProcess implements AutoCloseable {

    /** Small and quick to start: the child only runs one elector. */
    private static final List<String> JVM_OPTIONS = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC");

    private static final long EXIT_TIMEOUT_SECONDS = 10;

    private final String instanceId;
    private final Process process;
    private final Writer commands;
    private final Thread reader;

    private ElectorProcess(String instanceId, Process process, EventLog events) {
        this.instanceId = instanceId;
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = new Thread(() -> readEvents(events), instanceId + "-events");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts an elector for {@code election} on {@code store}. */
    static ElectorProcess launch(
            String instanceId, String election, BenchmarkStore store, BenchmarkSettings settings, EventLog events) {
        List<String> args = new ArrayList<>(List.of(store.name(), store.connection(), election, instanceId));
        args.addAll(settings.timingArguments());
        return new ElectorProcess(
                instanceId, JavaProcess.start("elector-" + instanceId, ElectorApp.class, JVM_OPTIONS, args), events);
    }

    String instanceId() {
        return instanceId;
    }

    /** Sends one command line: {@code stop}, {@code start}, {@code yield} or {@code exit}. */
    void send(String command) {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot send '" + command + "' to " + instanceId, ex);
        }
    }

    /**
     * Kills the process with SIGKILL: no release, no last word. Returns once it is gone and its
     * last events are read.
     *
     * @return {@link System#nanoTime()} just before the signal
     */
    long kill() {
        long killedAt = System.nanoTime();
        process.destroyForcibly();
        awaitExit();
        return killedAt;
    }

    /** Asks the elector to stop gracefully and exit; kills it if it does not. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                send("exit");
                commands.close();
            } catch (IOException | UncheckedIOException ex) {
                // it is going away anyway
            }
        }
        try {
            if (!process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        awaitExit();
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(instanceId + " (pid " + process.pid() + ") did not exit");
            }
            reader.join(TimeUnit.SECONDS.toMillis(EXIT_TIMEOUT_SECONDS));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + instanceId + " to exit", ex);
        }
    }

    private void readEvents(EventLog events) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                ElectorEvent.parse(instanceId, line).ifPresent(events::add);
            }
        } catch (IOException ex) {
            // the process died; its events end here
        }
    }
}
