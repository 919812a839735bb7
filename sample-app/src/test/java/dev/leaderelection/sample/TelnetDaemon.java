package dev.leaderelection.sample;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Telnet daemon on a free loopback port: GNU inetutils {@code telnetd}, started for each
 * connection by {@code socat} (telnetd wants the accepted socket as its standard input, which Java
 * cannot hand to a child process), running the scripted device {@code telnet/device.sh} instead of
 * {@code /bin/login}. Works as root and as any other user.
 *
 * <p>The device reads its {@code config} at every connection, so a test can change the password or
 * the echo between two connections; {@link #sessions()} is what the device noted.
 */
final class TelnetDaemon implements AutoCloseable {

    static final String USER = "app";
    static final String PASSWORD = "secret";
    /** The device's prompt, as {@code telnet.prompt}. */
    static final String PROMPT = "^device> $";

    private static final String INSTALL = "apt-get install -y inetutils-telnetd socat";
    private static final Duration STARTUP = Duration.ofSeconds(15);

    /** One event the device noted: {@code session} is its process id. */
    record Note(String session, String event, List<String> args) {}

    private final Path directory;
    private final Process socat;
    private final int port;

    private TelnetDaemon(Path directory, Process socat, int port) {
        this.directory = directory;
        this.socat = socat;
        this.port = port;
    }

    /**
     * Skips the calling test class in one line when telnetd or socat is missing; with {@code CI=true}
     * fails it instead, since CI installs both.
     */
    static void assumeInstalled() {
        Optional<String> missing = Stream.of("telnetd", "socat")
                .filter(program -> executable(program).isEmpty())
                .findFirst();
        if (missing.isPresent()) {
            String message = missing.get() + " not found: the real Telnet daemon tests need '" + INSTALL + "'";
            if ("true".equals(System.getenv("CI"))) {
                fail(message);
            }
            System.err.println("Skipped: " + message);
            Assumptions.abort(message);
        }
    }

    /** Starts a daemon whose device accepts {@link #USER} with {@link #PASSWORD} and does not insist on echo. */
    static TelnetDaemon start() throws IOException, InterruptedException {
        Path directory = Files.createTempDirectory("telnet-device");
        Path device = directory.resolve("device.sh");
        try (InputStream script = TelnetDaemon.class.getResourceAsStream("/telnet/device.sh")) {
            Files.copy(Objects.requireNonNull(script, "telnet/device.sh"), device);
        }
        Files.setPosixFilePermissions(device, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(directory.resolve("sessions.log"), "");
        TelnetDaemon.configure(directory, PASSWORD, false);
        IOException lastFailure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path log = directory.resolve("socat-" + port + ".log");
            Process socat = new ProcessBuilder(
                            executable("socat").orElseThrow().toString(),
                            "-d",
                            "-d",
                            "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork",
                            "EXEC:" + executable("telnetd").orElseThrow() + " -h -E " + device + ",nofork")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (awaitListening(socat, log)) {
                return new TelnetDaemon(directory, socat, port);
            }
            socat.destroyForcibly().waitFor();
            lastFailure = new IOException("socat did not listen on port " + port + ": " + Files.readString(log));
        }
        throw lastFailure;
    }

    int port() {
        return port;
    }

    /** From the next connection on, the device accepts {@code password} and, if {@code echo}, echoes every command. */
    void configure(String password, boolean echo) throws IOException {
        configure(directory, password, echo);
    }

    /** What the device noted so far, in order. */
    List<Note> sessions() {
        List<String> lines;
        try {
            lines = Files.readAllLines(directory.resolve("sessions.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines.stream()
                .filter(line -> !line.isBlank())
                .map(line -> {
                    String[] words = line.split(" ");
                    return new Note(words[0], words[1], Arrays.asList(words).subList(2, words.length));
                })
                .toList();
    }

    /** The notes of kind {@code event}. */
    List<Note> notes(String event) {
        return sessions().stream().filter(note -> note.event().equals(event)).toList();
    }

    /** Stops socat and every telnetd and device it started. */
    @Override
    public void close() throws InterruptedException {
        socat.descendants().forEach(ProcessHandle::destroy);
        socat.destroy();
        if (!socat.waitFor(5, TimeUnit.SECONDS)) {
            socat.destroyForcibly();
        }
    }

    private static void configure(Path directory, String password, boolean echo) throws IOException {
        Path config = directory.resolve("config");
        Path next = directory.resolve("config.next");
        Files.writeString(
                next, "USER_NAME='" + USER + "'\nPASSWORD='" + password + "'\nECHO=" + (echo ? "on" : "off") + "\n");
        // Renamed into place, so that a connection never reads half a file.
        Files.move(next, config, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits for socat's "listening on" line; false if socat exited first (the port was taken). */
    private static boolean awaitListening(Process socat, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains("listening on")) {
                return true;
            }
            if (socat.waitFor(20, TimeUnit.MILLISECONDS)) {
                return false;
            }
        }
        throw new IOException("socat did not start listening within " + STARTUP + ": " + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** {@code program} on the PATH, or in {@code /usr/sbin} (where Debian puts telnetd, often off a user's PATH). */
    private static Optional<Path> executable(String program) {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "") + ":/usr/sbin:/usr/local/sbin";
        return Arrays.stream(path.split(":"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
