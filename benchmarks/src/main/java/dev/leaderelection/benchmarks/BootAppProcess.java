package dev.leaderelection.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Spring Boot application of the side-by-side benchmark in a JVM of its own, seen from the
 * harness: its event lines go to an {@link EventLog}, its other output is dropped. It stops on
 * SIGTERM, as a platform stops it, or dies on SIGKILL.
 */
final class BootAppProcess implements AutoCloseable {

    /** The same for every contender: small heaps, the serial collector. */
    static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC");

    private static final long EXIT_TIMEOUT_SECONDS = 30;

    private final String instanceId;
    private final Process process;
    private final Thread reader;

    private BootAppProcess(String instanceId, Process process, EventLog events) {
        this.instanceId = instanceId;
        this.process = process;
        this.reader = new Thread(() -> readEvents(events), instanceId + "-events");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts {@code mainClass} with {@code args}; {@code logName} names its standard error's log file. */
    static BootAppProcess launch(
            String instanceId,
            String logName,
            Class<?> mainClass,
            List<String> jvmOptions,
            List<String> args,
            EventLog events) {
        return new BootAppProcess(instanceId, JavaProcess.start(logName, mainClass, jvmOptions, args), events);
    }

    /**
     * Sends SIGTERM: the JVM runs its shutdown hooks, Spring Boot closes the context.
     *
     * @return {@link System#nanoTime()} just before the signal
     */
    long terminate() {
        long at = System.nanoTime();
        // Through the handle: Process.destroy() would also close the pipes, and the last events with them.
        process.toHandle().destroy();
        return at;
    }

    /**
     * Sends SIGKILL and returns once the process is gone and its last events are read.
     *
     * @return {@link System#nanoTime()} just before the signal
     */
    long kill() {
        long at = System.nanoTime();
        process.destroyForcibly();
        awaitExit();
        return at;
    }

    /** Waits until the process has exited (after {@link #terminate()}) and its events are read. */
    void awaitExit() {
        try {
            if (!process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(instanceId + " (pid " + process.pid() + ") did not exit");
            }
            reader.join(TimeUnit.SECONDS.toMillis(EXIT_TIMEOUT_SECONDS));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + instanceId + " to exit", ex);
        }
    }

    /** Stops the application with SIGTERM and waits for it; kills it if it does not exit. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
        }
        try {
            if (!process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
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
