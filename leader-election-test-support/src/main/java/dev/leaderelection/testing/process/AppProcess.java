package dev.leaderelection.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Spring Boot application with the {@code leader} endpoint, run as its own JVM with {@code java
 * -jar} on a free loopback HTTP port. It can be killed (SIGKILL), stopped gracefully (SIGTERM),
 * frozen (SIGSTOP) and thawed (SIGCONT).
 */
public final class AppProcess {

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** JVM options for several small JVMs that share a machine. */
    private static final List<String> SMALL_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");

    private final String name;
    private final int port;
    private final Process process;
    private volatile boolean killed;
    private volatile boolean stopping;
    private volatile boolean frozen;
    private volatile boolean answered;

    private AppProcess(String name, int port, Process process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /**
     * Runs {@code jar} with {@code arguments} (such as {@code --spring.data.redis.port=...}) plus the
     * HTTP address and port; the output goes to {@code logFile}.
     */
    public static AppProcess launch(String name, Path jar, Path logFile, List<String> arguments) {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(SMALL_JVM);
        command.addAll(List.of("-jar", jar.toString(), "--server.address=127.0.0.1", "--server.port=" + port));
        // answer the first HTTP request at once
        command.add("--spring.mvc.servlet.load-on-startup=1");
        command.addAll(arguments);
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.to(logFile.toFile()));
        try {
            return new AppProcess(name, port, builder.start());
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot launch " + command, ex);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** Asks the application for its role; never throws. */
    public LeaderStatus status() {
        if (killed) {
            return LeaderStatus.KILLED;
        }
        if (!process.isAlive()) {
            return stopping ? LeaderStatus.STOPPED : LeaderStatus.EXITED;
        }
        if (stopping) {
            return LeaderStatus.STOPPING;
        }
        if (frozen) {
            return LeaderStatus.FROZEN;
        }
        LeaderStatus unanswered = answered ? LeaderStatus.NO_ANSWER : LeaderStatus.STARTING;
        try {
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/actuator/leader")));
            if (response.statusCode() != 200) {
                return unanswered;
            }
            answered = true;
            return parse(JSON.readTree(response.body()));
        } catch (IOException | RuntimeException ex) {
            return unanswered;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return unanswered;
        }
    }

    /** Sends {@code GET path} and returns the answer. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)));
    }

    /** Sends {@code POST path} with a JSON body and returns the answer. */
    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** SIGKILL: no shutdown hook runs; returns once the process is gone. */
    public void kill() {
        killed = true;
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGTERM: a graceful shutdown, as a platform stops an instance; SIGKILL if that hangs. */
    public void stop() {
        stopping = true;
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    /** SIGSTOP: the process keeps its sockets but runs no code, as in a long GC pause. */
    public void freeze() {
        frozen = true;
        Signals.stop(pid());
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() {
        Signals.resume(pid());
        frozen = false;
    }

    private static LeaderStatus parse(JsonNode body) {
        return new LeaderStatus(
                body.path("role").asString(),
                body.hasNonNull("fencingToken") ? body.get("fencingToken").asLong() : null,
                instant(body, "since"),
                instant(body, "lastRenewal"),
                body.hasNonNull("lastError") ? body.get("lastError").asString() : null,
                Duration.ofMillis(
                        body.path("timings").path("leaseDurationMillis").asLong()));
    }

    private static @Nullable Instant instant(JsonNode body, String field) {
        return body.hasNonNull(field) ? Instant.parse(body.get(field).asString()) : null;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.timeout(HTTP_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitExit() {
        try {
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException ex) {
            throw new UncheckedIOException("No free port on the loopback address", ex);
        }
    }
}
