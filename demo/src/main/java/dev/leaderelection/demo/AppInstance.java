package dev.leaderelection.demo;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One sample-app process: started with {@code java -jar}, watched through {@code GET /actuator/leader}. */
final class AppInstance {

    /** What {@code /actuator/leader} answered, or a pseudo role while there is no answer. */
    record Status(
            String role,
            @Nullable Long fencingToken,
            @Nullable Instant since,
            @Nullable String lastError,
            @Nullable Duration leaseDuration) {

        static final Status STARTING = pseudo("STARTING");
        static final Status NO_ANSWER = pseudo("NO ANSWER");
        static final Status STOPPING = pseudo("STOPPING");
        static final Status STOPPED = pseudo("STOPPED");
        static final Status KILLED = pseudo("KILLED");
        static final Status EXITED = pseudo("EXITED");

        private static Status pseudo(String role) {
            return new Status(role, null, null, null, null);
        }

        boolean isLeader() {
            return role.equals("LEADER");
        }

        /** Whether the process has ended. */
        boolean isGone() {
            return equals(KILLED) || equals(STOPPED) || equals(EXITED);
        }
    }

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String name;
    private final int port;
    private final Process process;
    private volatile boolean killed;
    private volatile boolean stopping;
    private volatile boolean answered;

    private AppInstance(String name, int port, Process process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /** Launches the sample app's jar as instance {@code name}; its output goes to {@code <logDir>/<name>.log}. */
    static AppInstance launch(String name, Path appJar, Path logDir, int redisPort, int telnetPort) {
        int httpPort = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(
                        java,
                        // three JVMs share the machine with the demo: keep each one small
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Xmx256m",
                        "-jar",
                        appJar.toString(),
                        "--server.address=127.0.0.1",
                        "--server.port=" + httpPort,
                        "--spring.data.redis.host=127.0.0.1",
                        "--spring.data.redis.port=" + redisPort,
                        "--telnet.host=127.0.0.1",
                        "--telnet.port=" + telnetPort,
                        "--leader.election.instance-id=" + name,
                        "--spring.main.banner-mode=off",
                        // answer the first GET /actuator/leader at once
                        "--spring.mvc.servlet.load-on-startup=1"))
                .redirectErrorStream(true)
                .redirectOutput(Redirect.to(logDir.resolve(name + ".log").toFile()));
        try {
            return new AppInstance(name, httpPort, builder.start());
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot launch " + builder.command(), ex);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    /** Asks the instance for its role; never throws. */
    Status status() {
        if (killed) {
            return Status.KILLED;
        }
        if (!process.isAlive()) {
            return stopping ? Status.STOPPED : Status.EXITED;
        }
        if (stopping) {
            return Status.STOPPING;
        }
        Status unanswered = answered ? Status.NO_ANSWER : Status.STARTING;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/leader"))
                    .timeout(HTTP_TIMEOUT)
                    .build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return unanswered;
            }
            answered = true;
            JsonNode body = JSON.readTree(response.body());
            return new Status(
                    body.path("role").asString(),
                    body.hasNonNull("fencingToken") ? body.get("fencingToken").asLong() : null,
                    body.hasNonNull("since") ? Instant.parse(body.get("since").asString()) : null,
                    body.hasNonNull("lastError") ? body.get("lastError").asString() : null,
                    Duration.ofMillis(
                            body.path("timings").path("leaseDurationMillis").asLong()));
        } catch (IOException | RuntimeException ex) {
            return unanswered;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return unanswered;
        }
    }

    /** SIGKILL: no shutdown hook runs, the lease is not released. */
    void kill() {
        killed = true;
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGTERM: a graceful shutdown, as a platform stops an instance; SIGKILL if that hangs. */
    void stop() {
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
