package dev.leaderelection.sample;

import static dev.leaderelection.sample.SampleInstances.elector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.Leadership;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The destination's fencing around a real leader: a greeting with a lower token than the highest
 * seen is refused, and so is every later line of a session that a higher token has superseded.
 * Real Redis, real sockets; the stale and newer holders are plain sockets with a made-up token.
 */
class TelnetGatewayFencingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final SampleInstances instances = new SampleInstances(redis.server());
    private TestDestination destination;

    @BeforeEach
    void startDestination() throws IOException {
        destination = new TestDestination();
    }

    @AfterEach
    void stopEverything() throws IOException {
        instances.close();
        destination.close();
    }

    @Test
    void aGreetingWithALowerTokenIsRefusedAndItsConnectionClosedWhileTheSameTokenIsAccepted() throws Exception {
        ConfigurableApplicationContext leader = start();
        int held = awaitGreetedConnection();
        long token = elector(leader)
                .currentLeadership()
                .map(Leadership::fencingToken)
                .orElseThrow();
        long stale = token - 1;

        try (Socket former = connect()) {
            BufferedReader replies = greet(former, "HELLO former " + stale);
            assertThat(replies.readLine()).isEqualTo("ERR stale fencing token " + stale + " < " + token);
            assertThat(replies.readLine())
                    .as("the destination closed the connection")
                    .isNull();
        }
        try (Socket sameTerm = connect()) {
            BufferedReader replies = greet(sameTerm, "HELLO leader " + token);
            assertThat(replies.readLine()).isEqualTo("echo: HELLO leader " + token);
        }

        TestDestination.Event refused = destination.refused().get(0);
        assertThat(destination.refused()).containsExactly(refused);
        assertThat(refused.text()).isEqualTo("HELLO former " + stale);
        assertThat(destination.lines(refused.connection())).isEmpty();
        assertThat(destination.closedAt(refused.connection())).isPresent();
        HttpResponse<String> answered = instances.postCommand(leader, "{\"line\":\"status\"}");
        assertThat(answered.body()).isEqualTo("{\"reply\":\"echo: status\"}");
        assertThat(destination.open()).contains(held);
    }

    @Test
    void onceAHigherTokenGreetedTheLeadersNextLineIsRefusedAndSoIsItsReconnection() throws Exception {
        ConfigurableApplicationContext leader = start("telnet.keep-alive-interval=200ms");
        int held = awaitGreetedConnection();
        long token = elector(leader)
                .currentLeadership()
                .map(Leadership::fencingToken)
                .orElseThrow();

        try (Socket newer = connect()) {
            BufferedReader replies = greet(newer, "HELLO newer " + (token + 1));
            assertThat(replies.readLine()).isEqualTo("echo: HELLO newer " + (token + 1));

            await("the leader's keep-alive refused and its session closed")
                    .atMost(TIMEOUT)
                    .until(() -> destination.closedAt(held).isPresent());
            await("the leader's greeting on a new connection refused")
                    .atMost(TIMEOUT)
                    .until(() -> destination.refused().stream()
                            .anyMatch(event ->
                                    event.connection() != held && event.text().equals("HELLO leader " + token)));
        }

        assertThat(destination.refused().get(0)).satisfies(first -> {
            assertThat(first.connection()).isEqualTo(held);
            assertThat(first.text()).isEqualTo("PING");
        });
        int newerConnection = destination.events().stream()
                .filter(event -> event.text().equals("HELLO newer " + (token + 1)))
                .findFirst()
                .orElseThrow()
                .connection();
        long newerGreeted = destination.firstLine(newerConnection).orElseThrow().nanos();
        assertThat(destination.events())
                .as("lines accepted from anyone but the newer holder after it greeted")
                .filteredOn(event -> event.kind() == TestDestination.Kind.LINE
                        && event.connection() != newerConnection
                        && event.nanos() > newerGreeted)
                .isEmpty();
        // Fencing happens at the destination: the store still says this instance leads in that term.
        assertThat(elector(leader).currentLeadership().map(Leadership::fencingToken))
                .hasValue(token);
    }

    /** The leader; a store call may take longer than in application.yml, so that a busy machine does not end its term. */
    private ConfigurableApplicationContext start(String... properties) {
        String[] all = Arrays.copyOf(properties, properties.length + 1);
        all[properties.length] = "leader.election.operation-timeout=1s";
        return instances.start("leader", destination, all);
    }

    private int awaitGreetedConnection() {
        return await("an open, greeted connection")
                .atMost(TIMEOUT)
                .until(destination::greetedOpenConnection, Optional::isPresent)
                .orElseThrow();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), destination.port());
        socket.setSoTimeout(Math.toIntExact(TIMEOUT.toMillis()));
        return socket;
    }

    /** Sends {@code greeting} and returns the reader of the destination's replies. */
    private static BufferedReader greet(Socket socket, String greeting) throws IOException {
        socket.getOutputStream().write((greeting + "\r\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }
}
