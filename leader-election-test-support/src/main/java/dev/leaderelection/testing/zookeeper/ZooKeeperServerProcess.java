package dev.leaderelection.testing.zookeeper;

import dev.leaderelection.testing.process.LogDirectories;
import dev.leaderelection.testing.process.Signals;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A standalone ZooKeeper server in a JVM of its own ({@code org.apache.zookeeper.server.ZooKeeperServerMain}
 * from this JVM's class path, so the caller needs {@code org.apache.zookeeper:zookeeper} on it) on a
 * free loopback port. {@link #kill()} sends SIGKILL, {@link #pause()} SIGSTOP, {@link #resume()}
 * SIGCONT; {@link #start()} after a kill starts it again on the same port and data directory, so
 * sessions and nodes survive as they would on a real restart. Servers still running when this JVM
 * exits are killed.
 */
public final class ZooKeeperServerProcess implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    /**
     * Bounds a start (a JVM that loads ZooKeeper) and a kill: a JVM took longer than 30 s to serve on a
     * 2-core machine at a load average of 40, so this only bounds, it measures nothing.
     */
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "zookeeper-server-reaper"));
    }

    private final int port;
    private final Path directory;
    private final Path logFile;
    private final Duration tickTime;
    private final Duration maxSessionTimeout;
    private @Nullable Process process;
    private boolean paused;

    /** A server with a tick of 100 ms that grants sessions of 200 ms to 60 s. */
    public ZooKeeperServerProcess() {
        this(Duration.ofMillis(100), Duration.ofSeconds(60));
    }

    /**
     * A server with this tick time (sessions of at least two ticks) that grants sessions up to {@code
     * maxSessionTimeout}.
     */
    public ZooKeeperServerProcess(Duration tickTime, Duration maxSessionTimeout) {
        this.tickTime = tickTime;
        this.maxSessionTimeout = maxSessionTimeout;
        this.port = freePort();
        this.directory = LogDirectories.create("zookeeper-" + port);
        this.logFile = directory.resolve("zookeeper.log");
    }

    /** {@code 127.0.0.1:<port>}, for a client's connect string. */
    public String connectString() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /** Where the server keeps its snapshots and transaction log, across restarts. */
    public Path dataDirectory() {
        return directory.resolve("data");
    }

    /** Starts the server, or starts it again on the same port and data, and waits until it serves. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        awaitUntil(this::portIsFree, "port " + port + " to be free");
        process = launch();
        try {
            awaitUntil(this::serves, "ZooKeeper to serve on " + connectString());
        } catch (RuntimeException ex) {
            kill();
            throw ex;
        }
    }

    /** SIGKILL: no goodbye to the clients, whose sessions live on until they time out or it restarts. */
    public synchronized void kill() {
        Process running = process;
        if (running == null) {
            return;
        }
        Signals.kill(running, "ZooKeeper");
        LIVE.remove(running);
        process = null;
        paused = false;
    }

    /** SIGKILL, then {@link #start()} on the same port and data directory. */
    public synchronized void restart() {
        kill();
        start();
    }

    /** SIGSTOP: connections stay open and nothing answers. */
    public synchronized void pause() {
        if (!paused) {
            Signals.stop(requireProcess().pid());
            paused = true;
        }
    }

    /** SIGCONT. */
    public synchronized void resume() {
        if (paused) {
            Signals.resume(requireProcess().pid());
            paused = false;
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return requireProcess().pid();
    }

    @Override
    public synchronized void close() {
        resume();
        kill();
    }

    @Override
    public String toString() {
        return "ZooKeeper on " + connectString() + " (log " + logFile + ")";
    }

    private Process launch() {
        try {
            Files.createDirectories(dataDirectory());
            Path config = directory.resolve("zoo.cfg");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "tickTime=" + tickTime.toMillis(),
                            "minSessionTimeout=" + tickTime.multipliedBy(2).toMillis(),
                            "maxSessionTimeout=" + maxSessionTimeout.toMillis(),
                            "dataDir=" + dataDirectory(),
                            "clientPort=" + port,
                            "clientPortAddress=" + HOST,
                            "admin.enableServer=false",
                            "4lw.commands.whitelist=srvr,ruok",
                            ""));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder builder = new ProcessBuilder(List.of(
                            java.toString(),
                            "-Xmx128m",
                            "-XX:+UseSerialGC",
                            "-cp",
                            System.getProperty("java.class.path"),
                            "org.apache.zookeeper.server.ZooKeeperServerMain",
                            config.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile.toFile()));
            Process started = builder.start();
            LIVE.add(started);
            return started;
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot start ZooKeeper in " + directory, ex);
        }
    }

    /** The {@code srvr} four-letter word answers with the server's mode once it serves. */
    private boolean serves() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(
                    "ZooKeeper exited with " + (process == null ? "?" : process.exitValue()) + "; see " + logFile);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            socket.setSoTimeout(1_000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).contains("Mode: standalone");
        } catch (IOException ex) {
            return false;
        }
    }

    private boolean portIsFree() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, port));
            return true;
        } catch (IOException ex) {
            return false;
        }
    }

    private Process requireProcess() {
        Process running = process;
        if (running == null) {
            throw new IllegalStateException(this + " is not running");
        }
        return running;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        } catch (IOException ex) {
            throw new UncheckedIOException("No free loopback port", ex);
        }
    }

    private void awaitUntil(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(
                        "Waited " + TIMEOUT.toSeconds() + " s for " + what + "; see " + logFile);
            }
            try {
                Thread.sleep(20); // polling a process we do not control: no event to wait for
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + what, ex);
            }
        }
    }
}
