package dev.leaderelection.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Sends Unix signals that {@link Process} cannot send, such as STOP and CONT, with {@code kill}. */
public final class Signals {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Signals() {}

    /** Freezes process {@code pid} (SIGSTOP): it keeps its sockets but runs no code. */
    public static void stop(long pid) {
        send("STOP", pid);
    }

    /** Lets a frozen process {@code pid} run again (SIGCONT). */
    public static void resume(long pid) {
        send("CONT", pid);
    }

    /** Kills {@code process} (SIGKILL) and waits for it to end; {@code name} says whose it is in errors. */
    public static void kill(Process process, String name) {
        process.destroyForcibly();
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL");
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while killing " + name, ex);
        }
    }

    private static void send(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + pid + " did not finish");
            }
            if (kill.exitValue() != 0) {
                String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                throw new IllegalStateException(
                        "kill -" + signal + " " + pid + " exited with " + kill.exitValue() + ": " + output);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot run kill -" + signal, ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending SIG" + signal, ex);
        }
    }
}
