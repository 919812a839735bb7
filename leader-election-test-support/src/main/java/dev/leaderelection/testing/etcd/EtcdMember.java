package dev.leaderelection.testing.etcd;

import dev.leaderelection.testing.process.LogDirectories;
import dev.leaderelection.testing.process.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * One {@code etcd} member as a child process on loopback ports of its own (client and peer), with
 * a data directory of its own that survives {@link #kill()} and {@link #start() restarts}. Pause and
 * resume send SIGSTOP and SIGCONT; members still running when the JVM exits are killed.
 */
public final class EtcdMember {

    static final String HOST = "127.0.0.1";

    /**
     * Raft timing of test members: a heartbeat of 50 ms and an election timeout of 500 ms make
     * etcd's shortest lease 1 s (it is 1.5 x the election timeout, rounded up to whole seconds).
     */
    static final int HEARTBEAT_MILLIS = 50;

    static final int ELECTION_TIMEOUT_MILLIS = 500;

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int LOG_TAIL_LINES = 20;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "etcd-reaper"));
    }

    private final String name;
    private final int clientPort = findFreePort();
    private final int peerPort = findFreePort();
    private final Path dataDirectory;
    private final Path logFile;
    private @Nullable String initialCluster;
    private @Nullable String clusterToken;
    private @Nullable Process process;
    private boolean paused;

    EtcdMember(String name, Path baseDirectory) {
        this.name = name;
        this.dataDirectory = baseDirectory.resolve(name + ".etcd");
        this.logFile = baseDirectory.resolve(name + ".log");
    }

    /** The member's name in the cluster. */
    public String name() {
        return name;
    }

    /** The URL clients connect to: {@code http://127.0.0.1:<client port>}. */
    public String clientUrl() {
        return "http://" + HOST + ":" + clientPort;
    }

    /** The port clients connect to. */
    public int clientPort() {
        return clientPort;
    }

    String peerUrl() {
        return "http://" + HOST + ":" + peerPort;
    }

    /** The member's data directory, kept across kills and restarts. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The process id, while running. */
    public synchronized long pid() {
        return requireProcess().pid();
    }

    void joinAs(String initialCluster, String clusterToken) {
        this.initialCluster = initialCluster;
        this.clusterToken = clusterToken;
    }

    /**
     * Launches the process, from the data directory if it holds data. Returns without waiting:
     * members of a cluster answer only once a quorum runs, so the cluster waits for all of them.
     */
    public synchronized void launch() {
        if (isRunning()) {
            return;
        }
        String cluster = initialCluster == null ? name + "=" + peerUrl() : initialCluster;
        boolean existing = Files.isDirectory(dataDirectory.resolve("member"));
        List<String> command = List.of(
                EtcdBinary.path().toString(),
                "--name=" + name,
                "--data-dir=" + dataDirectory,
                "--listen-client-urls=" + clientUrl(),
                "--advertise-client-urls=" + clientUrl(),
                "--listen-peer-urls=" + peerUrl(),
                "--initial-advertise-peer-urls=" + peerUrl(),
                "--initial-cluster=" + cluster,
                "--initial-cluster-state=" + (existing ? "existing" : "new"),
                "--initial-cluster-token=" + (clusterToken == null ? "etcd-" + name + "-" + clientPort : clusterToken),
                "--heartbeat-interval=" + HEARTBEAT_MILLIS,
                "--election-timeout=" + ELECTION_TIMEOUT_MILLIS,
                "--logger=zap",
                "--log-level=warn");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile.toFile()));
        try {
            Process started = builder.start();
            LIVE.add(started);
            process = started;
            paused = false;
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot launch " + builder.command(), ex);
        }
    }

    /** Launches the process and waits until it reports healthy (alone, or with a quorum running). */
    public void start() {
        launch();
        awaitHealthy();
    }

    /** Waits until the member answers {@code /health} with {@code "health":"true"}. */
    public void awaitHealthy() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!isHealthy()) {
            synchronized (this) {
                Process running = requireProcess();
                if (!running.isAlive()) {
                    throw new IllegalStateException(this + " exited with code " + running.exitValue() + describeLog());
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(this + " was not healthy within " + TIMEOUT + describeLog());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + this, ex);
            }
        }
    }

    /** Whether the member answers {@code /health} as healthy right now (it has a leader and a quorum). */
    public boolean isHealthy() {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(clientUrl() + "/health"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"true\"");
        } catch (IOException ex) {
            return false;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Kills the process with SIGKILL and waits for it to end; its data directory stays. */
    public synchronized void kill() {
        Process running = process;
        if (running == null) {
            return;
        }
        Signals.kill(running, toString());
        LIVE.remove(running);
        process = null;
        paused = false;
    }

    /** Freezes the process (SIGSTOP): it keeps its sockets open but answers nothing. */
    public synchronized void pause() {
        if (!paused) {
            Signals.stop(requireProcess().pid());
            paused = true;
        }
    }

    /** Lets a frozen process run again (SIGCONT). */
    public synchronized void resume() {
        if (paused) {
            Signals.resume(requireProcess().pid());
            paused = false;
        }
    }

    /** Whether the process is frozen by {@link #pause()}. */
    public synchronized boolean isPaused() {
        return paused;
    }

    /** Whether the process runs (frozen or not). */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public String toString() {
        return "etcd member " + name + " on " + clientUrl() + " (log " + logFile + ")";
    }

    private Process requireProcess() {
        Process running = process;
        if (running == null) {
            throw new IllegalStateException(this + " is not started");
        }
        return running;
    }

    String describeLog() {
        try {
            if (!Files.exists(logFile)) {
                return "";
            }
            List<String> lines = Files.readAllLines(logFile);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return "; last lines of " + logFile + ":\n" + String.join("\n", tail);
        } catch (IOException ex) {
            return "; cannot read " + logFile + ": " + ex;
        }
    }

    static Path newBaseDirectory() {
        Path dir = LogDirectories.create("etcd");
        try {
            return Files.createTempDirectory(dir, "cluster-");
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot create a directory in " + dir, ex);
        }
    }

    private static int findFreePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException ex) {
            throw new UncheckedIOException("No free port on " + HOST, ex);
        }
    }
}
