package dev.leaderelection.testing.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proves the process backend against a real {@code redis-server}. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisServerExtensionTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension(RedisServers.Backend.PROCESS);

    @Test
    @Order(1)
    void answersPing(RedisServer server) {
        assertThat(server).isInstanceOf(ProcessRedisServer.class);
        assertThat(server.host()).isEqualTo("127.0.0.1");
        assertThat(server.isRunning()).isTrue();
        assertThat(redis.command("PING")).isEqualTo("PONG");
    }

    @Test
    @Order(2)
    void repliesAsText() {
        assertThat(redis.command("SET", "key", "two words")).isEqualTo("OK");
        assertThat(redis.command("GET", "key")).isEqualTo("two words");
        assertThat(redis.command("GET", "missing")).isNull();
        assertThat(redis.command("RPUSH", "list", "a", "b")).isEqualTo("2");
        assertThat(redis.command("LRANGE", "list", "0", "-1")).isEqualTo("a\nb");
        assertThatThrownBy(() -> redis.command("NOSUCHCOMMAND"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ERR");
    }

    @Test
    @Order(3)
    void killThenStartGivesAnEmptyServerOnTheSamePort(RedisServer server) {
        int port = server.port();
        redis.command("SET", "key", "value");

        server.kill();
        assertThat(server.isRunning()).isFalse();
        server.start();

        assertThat(server.port()).isEqualTo(port);
        assertThat(server.isRunning()).isTrue();
        assertThat(redis.command("EXISTS", "key")).isEqualTo("0");
    }

    @Test
    @Order(4)
    void pauseFreezesTheServerUntilResumed(RedisServer server) throws IOException {
        server.pause();
        try (Socket socket = connect(server, Duration.ofMillis(300))) {
            socket.getOutputStream().write("PING\r\n".getBytes(UTF_8));
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        }

        server.resume();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(redis.command("PING")).isEqualTo("PONG"));
    }

    @Test
    @Order(5)
    void leavesAPausedServerWithData(RedisServer server) {
        redis.command("SET", "key", "value");
        server.pause();
    }

    @Test
    @Order(6)
    void eachTestGetsAResumedEmptyServer() {
        assertThat(redis.command("DBSIZE")).isEqualTo("0");
    }

    @Test
    @Order(7)
    void leavesAKilledServer(RedisServer server) {
        server.kill();
    }

    @Test
    @Order(8)
    void eachTestGetsARunningServer(RedisServer server) {
        assertThat(server.isRunning()).isTrue();
        assertThat(redis.command("PING")).isEqualTo("PONG");
    }

    private static Socket connect(RedisServer server, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(server.host(), server.port()), 1_000);
        socket.setSoTimeout((int) readTimeout.toMillis());
        return socket;
    }
}
