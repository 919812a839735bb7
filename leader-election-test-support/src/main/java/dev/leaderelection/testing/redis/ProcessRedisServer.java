package dev.leaderelection.testing.redis;

import dev.leaderelection.testing.process.LogDirectories;
import dev.leaderelection.testing.process.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} child process without persistence. Pause and resume send SIGSTOP and
 * SIGCONT; servers still running when the JVM exits are killed.
 */
public final class ProcessRedisServer implements RedisServer {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 20;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "redis-server-reaper"));
    }

    private final int port = LocalPorts.findFree();
    private final Path logFile;
    private final @Nullable Path configFile;
    private final List<String> extraArguments;
    private @Nullable Process process;
    private boolean paused;

    /** Picks a free port and a log file; {@link #start()} launches the process. */
    public ProcessRedisServer() {
        this(List.of());
    }

    private ProcessRedisServer(List<String> extraArguments) {
        this(null, extraArguments);
    }

    /**
     * A server that reads {@code configFile} first (Sentinel needs one it can rewrite), then the
     * usual arguments, then {@code extraArguments}.
     */
    ProcessRedisServer(@Nullable Path configFile, List<String> extraArguments) {
        this.configFile = configFile;
        this.extraArguments = List.copyOf(extraArguments);
        logFile = createLogFile(port);
    }

    /**
     * A server that, once {@link #start() started}, replicates the server listening on {@code
     * primaryPort} of the loopback address ({@code --replicaof}), as it does after every restart.
     * {@code REPLICAOF NO ONE} promotes it. {@link #start()} waits for {@code PING} only, not for
     * the first synchronisation.
     */
    public static ProcessRedisServer replicaOf(int primaryPort) {
        return new ProcessRedisServer(List.of("--replicaof", LocalPorts.HOST, Integer.toString(primaryPort)));
    }

    /**
     * A directory of its own for the RDB files that replication writes even without persistence,
     * next to the log file rather than in the working directory.
     */
    private Path dataDirectory() {
        try {
            return Files.createTempDirectory(logFile.getParent(), "redis-" + port + "-data-");
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot create a data directory next to " + logFile, ex);
        }
    }

    /**
     * Stops replicating and serves writes ({@code REPLICAOF NO ONE}), as a failover promotes a
     * replica: it keeps the data it has and starts a new replication history ({@code master_replid}).
     */
    public void promote() {
        command("REPLICAOF", "NO", "ONE");
    }

    /**
     * Replicates the server listening on {@code primaryPort} of the loopback address from now on
     * ({@code REPLICAOF}), until a restart, which goes back to how this server was created.
     */
    public void replicate(int primaryPort) {
        command("REPLICAOF", host(), Integer.toString(primaryPort));
    }

    /** Waits until this replica's link to its primary is up and its synchronisation done. */
    public void awaitReplicationLinkUp() {
        Polling.await(
                TIMEOUT,
                () -> "up".equals(info("replication", "master_link_status"))
                        && "0".equals(info("replication", "master_sync_in_progress")),
                () -> this + " did not finish synchronising with its primary within " + TIMEOUT + describeLog());
    }

    /** The value of {@code field} in {@code INFO section}, or {@code null} if the section has none. */
    public @Nullable String info(String section, String field) {
        String reply = String.valueOf(command("INFO", section));
        for (String line : reply.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return null;
    }

    @Override
    public int port() {
        return port;
    }

    /** The {@code redis-server} executable: the one on {@code PATH}, else the one embedded-redis ships. */
    public Path executable() {
        return RedisBinary.path();
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        Polling.await(
                TIMEOUT, () -> LocalPorts.isBindable(port), () -> "Port " + port + " is still taken after " + TIMEOUT);
        process = launch();
        try {
            Polling.await(
                    TIMEOUT,
                    this::answersPing,
                    () -> "redis-server did not answer PING within " + TIMEOUT + describeLog());
        } catch (RuntimeException ex) {
            kill();
            throw ex;
        }
    }

    @Override
    public synchronized void kill() {
        Process running = process;
        if (running == null) {
            return;
        }
        Signals.kill(running, "redis-server");
        LIVE.remove(running);
        process = null;
        paused = false;
    }

    @Override
    public synchronized void pause() {
        if (!paused) {
            Signals.stop(requireProcess().pid());
            paused = true;
        }
    }

    @Override
    public synchronized void resume() {
        if (paused) {
            Signals.resume(requireProcess().pid());
            paused = false;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void close() {
        if (isRunning()) {
            resume();
        }
        kill();
    }

    @Override
    public String toString() {
        return "redis-server on port " + port + " (log " + logFile + ")";
    }

    private Process launch() {
        List<String> command = new ArrayList<>(List.of(executable().toString()));
        if (configFile != null) {
            command.add(configFile.toString());
        }
        command.addAll(List.of(
                "--port",
                Integer.toString(port),
                "--bind",
                host(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
                "--dir",
                dataDirectory().toString()));
        command.addAll(extraArguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile.toFile()));
        try {
            Process started = builder.start();
            LIVE.add(started);
            return started;
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot launch " + builder.command(), ex);
        }
    }

    private boolean answersPing() {
        Process running = requireProcess();
        if (!running.isAlive()) {
            throw new IllegalStateException("redis-server exited with code " + running.exitValue() + describeLog());
        }
        return Resp.answersPing(port);
    }

    private Process requireProcess() {
        Process running = process;
        if (running == null) {
            throw new IllegalStateException(this + " is not started");
        }
        return running;
    }

    private String describeLog() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return "; last lines of " + logFile + ":\n" + String.join("\n", tail);
        } catch (IOException ex) {
            return "; cannot read " + logFile + ": " + ex;
        }
    }

    private static Path createLogFile(int port) {
        Path dir = LogDirectories.create("redis-logs");
        try {
            return Files.createTempFile(dir, "redis-" + port + "-", ".log");
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot create a log file in " + dir, ex);
        }
    }
}
