package dev.leaderelection.testing.postgres;

import dev.leaderelection.testing.process.LogDirectories;
import dev.leaderelection.testing.process.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL server as a child process on a free loopback port, with a data directory of its own
 * that survives {@link #kill()} and {@link #stop()}, so {@link #start()} restarts it on the same data
 * (a new {@code pg_postmaster_start_time()}). When the JVM runs as root the server runs as user
 * {@code nobody} ({@code setpriv}): {@code initdb} and {@code postgres} refuse to run as root. Trust
 * authentication, user {@value #USER}, database {@value #DATABASE}, {@code fsync} off.
 *
 * <p>{@link #pause()} and {@link #resume()} send SIGSTOP and SIGCONT to the postmaster and every
 * backend, so the server keeps its sockets but answers nothing. {@link #standby()} makes a streaming
 * standby of a running server and {@link #promote()} promotes it, for failover tests. Servers still
 * running when the JVM exits are killed.
 */
public final class ProcessPostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";
    static final String HOST = "127.0.0.1";

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 20;
    private static final String UNPRIVILEGED = "nobody";
    private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> LIVE.forEach(process -> {
                            process.descendants().forEach(ProcessHandle::destroyForcibly);
                            process.destroyForcibly();
                        }),
                        "postgres-reaper"));
    }

    private final int port = findFreePort();
    private final Path directory;
    private final Path dataDirectory;
    private final Path logFile;
    private final List<String> settings;
    private @Nullable Process process;
    private List<ProcessHandle> paused = List.of();

    /** Picks a free port and directories; {@link #start()} runs initdb the first time, then the server. */
    public ProcessPostgresServer() {
        this(List.of());
    }

    /** As {@link #ProcessPostgresServer()}, with extra {@code name=value} server settings ({@code -c}). */
    public ProcessPostgresServer(List<String> settings) {
        this.settings = List.copyOf(settings);
        Path logs = LogDirectories.create("postgres-logs").toAbsolutePath();
        try {
            directory = Files.createTempDirectory(logs, "postgres-" + port + "-");
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
            dataDirectory = directory.resolve("data");
            logFile = directory.resolve("postgres.log");
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot create a directory in " + logs, ex);
        }
    }

    public int port() {
        return port;
    }

    public String host() {
        return HOST;
    }

    /** The JDBC URL of database {@value #DATABASE}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
    }

    /** The postmaster's process id, while it runs. */
    public synchronized long pid() {
        return requireProcess().pid();
    }

    /** Starts the server, running initdb first if the data directory is new; waits until it answers. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        if (!Files.exists(dataDirectory.resolve("PG_VERSION"))) {
            initdb();
        }
        await(this::portIsFree, () -> "Port " + port + " is still taken after " + TIMEOUT);
        List<String> command = new ArrayList<>(List.of(
                binary("postgres"),
                "-D",
                dataDirectory.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=" + HOST,
                "-c",
                "unix_socket_directories=",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200", // the benchmarks run 51 instances of two connections each
                "-c",
                "shared_buffers=16MB"));
        settings.forEach(setting -> command.addAll(List.of("-c", setting)));
        process = launch(command);
        LIVE.add(process.toHandle());
        try {
            await(this::answers, () -> "postgres did not answer within " + TIMEOUT + describeLog());
        } catch (RuntimeException ex) {
            kill();
            throw ex;
        }
    }

    /** Kills the postmaster with SIGKILL, as a crash would; its backends exit as they notice. */
    public synchronized void kill() {
        Process running = process;
        if (running == null) {
            return;
        }
        resume();
        List<ProcessHandle> children = running.descendants().toList();
        running.destroyForcibly();
        waitForExit(running.toHandle());
        // Backends notice the postmaster's death and exit; a restart must wait for them (shared memory).
        children.forEach(ProcessHandle::destroyForcibly);
        children.forEach(this::waitForExit);
        LIVE.remove(running.toHandle());
        process = null;
    }

    /** Stops the server with a fast shutdown (SIGINT), as an operator would. */
    public synchronized void stop() {
        Process running = process;
        if (running == null) {
            return;
        }
        resume();
        List<ProcessHandle> children = running.descendants().toList();
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(running.pid()))
                    .start()
                    .waitFor();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        waitForExit(running.toHandle());
        children.forEach(this::waitForExit);
        LIVE.remove(running.toHandle());
        process = null;
    }

    /**
     * Makes a streaming standby of this running server without {@code pg_basebackup}: stops this
     * server cleanly, copies its data directory, starts it again, and starts the copy on a free port
     * of its own with {@code standby.signal} and {@code primary_conninfo} pointing here (initdb's
     * {@code pg_hba.conf} trusts replication connections from the loopback address). Returns once
     * the standby is in recovery and streams. Close it as any server; {@link #promote()} promotes it.
     */
    public ProcessPostgresServer standby() {
        List<String> standbySettings = new ArrayList<>(settings);
        standbySettings.add("primary_conninfo=host=" + HOST + " port=" + port + " user=" + USER);
        ProcessPostgresServer standby = new ProcessPostgresServer(standbySettings);
        synchronized (this) {
            requireProcess();
            stop();
            try {
                standby.copyDataDirectory(dataDirectory);
            } finally {
                start();
            }
        }
        standby.start();
        await(
                () -> standby.queryQuietly(
                        "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')"),
                () -> standby + " does not stream from " + this + " after " + TIMEOUT + standby.describeLog());
        return standby;
    }

    /** Promotes this standby ({@code pg_promote}) and returns once it accepts writes, on a new timeline. */
    public void promote() {
        if (!queryQuietly("SELECT pg_promote(true, " + TIMEOUT.toSeconds() + ")")) {
            throw new IllegalStateException(this + " was not promoted within " + TIMEOUT + describeLog());
        }
    }

    /** Freezes the postmaster and every backend (SIGSTOP): connections stay open, nothing answers. */
    public synchronized void pause() {
        if (paused.isEmpty()) {
            Process running = requireProcess();
            List<ProcessHandle> all = new ArrayList<>();
            all.add(running.toHandle());
            all.addAll(running.descendants().toList());
            // The postmaster first, so it forks no backend we would miss; a backend that exits
            // between the listing and its signal (a client just closed) needs no freezing.
            all.forEach(handle -> {
                try {
                    Signals.stop(handle.pid());
                } catch (IllegalStateException ex) {
                    if (handle.isAlive()) {
                        throw ex;
                    }
                }
            });
            paused = all;
        }
    }

    /** Lets a paused server run again (SIGCONT). */
    public synchronized void resume() {
        if (!paused.isEmpty()) {
            paused.stream().filter(ProcessHandle::isAlive).forEach(handle -> {
                try {
                    Signals.resume(handle.pid());
                } catch (IllegalStateException ex) {
                    if (handle.isAlive()) {
                        throw ex;
                    }
                }
            });
            paused = List.of();
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized boolean isPaused() {
        return !paused.isEmpty();
    }

    /** Opens a new connection as {@value #USER}. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, "");
    }

    /** Runs {@code sql} on a new connection, in autocommit. */
    public void execute(String sql) {
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException ex) {
            throw new IllegalStateException("Cannot run " + sql + " on " + this + ": " + ex.getMessage(), ex);
        }
    }

    /** Kills the server and deletes its data. */
    @Override
    public synchronized void close() {
        kill();
        deleteQuietly(directory);
    }

    @Override
    public String toString() {
        return "postgres on port " + port + " (log " + logFile + ")";
    }

    private void initdb() {
        prepareDataDirectory();
        run(
                List.of(
                        binary("initdb"),
                        "-D",
                        dataDirectory.toString(),
                        "-U",
                        USER,
                        "-A",
                        "trust",
                        "-E",
                        "UTF8",
                        "--no-sync",
                        "--no-locale"),
                "initdb");
    }

    /** Copies {@code source} (a cleanly stopped server's) as this server's data, as the server's user. */
    private void copyDataDirectory(Path source) {
        prepareDataDirectory();
        run(List.of("cp", "-a", source + "/.", dataDirectory.toString()), "cp");
        run(List.of("touch", dataDirectory.resolve("standby.signal").toString()), "touch");
    }

    private void prepareDataDirectory() {
        try {
            Files.createDirectories(dataDirectory);
            Files.setPosixFilePermissions(dataDirectory, PosixFilePermissions.fromString("rwx------"));
            if (isRoot()) {
                UserPrincipalLookupService users = dataDirectory.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dataDirectory, users.lookupPrincipalByName(UNPRIVILEGED));
                Files.setOwner(logFileCreated(), users.lookupPrincipalByName(UNPRIVILEGED));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot prepare " + dataDirectory, ex);
        }
    }

    /** Runs {@code command} as the server's user and waits until it succeeds. */
    private void run(List<String> command, String name) {
        Process running = launch(command);
        try {
            if (!running.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                running.destroyForcibly();
                throw new IllegalStateException(name + " did not finish within " + TIMEOUT + describeLog());
            }
            if (running.exitValue() != 0) {
                throw new IllegalStateException(name + " exited with " + running.exitValue() + describeLog());
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + name, ex);
        }
    }

    /** The boolean {@code sql} answers, or false while the server cannot answer. */
    private boolean queryQuietly(String sql) {
        try (Connection connection = connect();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() && rows.getBoolean(1);
        } catch (SQLException ex) {
            return false;
        }
    }

    private Path logFileCreated() throws IOException {
        if (!Files.exists(logFile)) {
            Files.createFile(logFile);
        }
        return logFile;
    }

    private Process launch(List<String> command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            // setpriv execs the command: the process we hold is the server itself, for signals.
            full.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED, "--regid=nogroup", "--clear-groups", "--"));
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile.toFile()));
        builder.environment().put("LC_ALL", "C");
        try {
            return builder.start();
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot launch " + full, ex);
        }
    }

    private static String binary(String name) {
        return PostgresBinaries.binDirectory().resolve(name).toString();
    }

    private boolean answers() {
        Process running = requireProcess();
        if (!running.isAlive()) {
            throw new IllegalStateException("postgres exited with code " + running.exitValue() + describeLog());
        }
        try (Connection connection = connect()) {
            return connection.isValid(2);
        } catch (SQLException ex) {
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

    private void waitForExit(ProcessHandle handle) {
        try {
            handle.onExit().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception ex) {
            throw new IllegalStateException("Process " + handle.pid() + " of " + this + " did not exit", ex);
        }
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
            List<String> lines = Files.exists(logFile) ? Files.readAllLines(logFile) : List.of();
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return "; last lines of " + logFile + ":\n" + String.join("\n", tail);
        } catch (IOException ex) {
            return "; cannot read " + logFile + ": " + ex;
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void await(BooleanSupplier condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(failure.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting", ex);
            }
        }
    }

    private static int findFreePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException ex) {
            throw new UncheckedIOException("No free port on " + HOST, ex);
        }
    }

    private static void deleteQuietly(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException ex) {
            // temporary data: best effort
        }
    }
}
