package dev.leaderelection.sample;

import static dev.leaderelection.sample.SampleInstances.elector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.Leadership;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway against a real Telnet daemon (GNU inetutils telnetd) whose device prints a banner,
 * asks for a login and answers after a prompt: option negotiation, echo, framing by prompt, login,
 * bounds on replies and takeover. Real Redis, real sockets.
 */
@ExtendWith(OutputCaptureExtension.class)
class TelnetGatewayTelnetdTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final SampleInstances instances = new SampleInstances(redis.server());
    private TelnetDaemon daemon;

    @BeforeAll
    static void needsTelnetd() {
        TelnetDaemon.assumeInstalled();
    }

    @BeforeEach
    void startDaemon() throws Exception {
        daemon = TelnetDaemon.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        instances.close();
        daemon.close();
    }

    @ParameterizedTest(name = "device echoes regardless: {0}")
    @ValueSource(booleans = {false, true})
    void everyReplyIsTheAnswerToItsOwnCommandOverAHundredCommandsBetweenKeepAlivesAndBadInputIsNeverSent(boolean echo)
            throws Exception {
        daemon.configure(TelnetDaemon.PASSWORD, echo);
        ConfigurableApplicationContext leader = start("leader", "telnet.keep-alive-interval=50ms");
        long token = awaitGreeted(leader);
        for (String json : List.of(
                "{\"line\":\"status\\nsay injected\"}",
                "{\"line\":\"status\\r\"}",
                "{\"line\":\"say \\u0007\"}",
                "{\"line\":\"say \\u0003\"}",
                "{}")) {
            HttpResponse<String> refused = instances.postCommand(leader, json);
            assertThat(refused.statusCode()).as(json).isEqualTo(400);
        }

        assertThat(reply(leader, "status")).isEqualTo("status: ok");
        for (int i = 0; i < 100; i++) {
            assertThat(reply(leader, "say " + i)).isEqualTo("said " + i);
        }
        assertThat(reply(leader, "lines 3")).isEqualTo("line 1\nline 2\nline 3");
        assertThat(reply(leader, "nonsense")).isEqualTo("unknown command: nonsense");

        assertThat(daemon.notes("login")).hasSize(1);
        assertThat(daemon.notes("hello"))
                .singleElement()
                .satisfies(hello -> assertThat(hello.args()).containsExactly("leader", Long.toString(token)));
        List<List<String>> commands = daemon.notes("command").stream()
                .map(TelnetDaemon.Note::args)
                .filter(args -> !args.equals(List.of("PING")))
                .toList();
        assertThat(commands)
                .hasSize(104)
                .startsWith(List.of("HELLO", "leader", Long.toString(token)), List.of("status"));
        assertThat(daemon.notes("command"))
                .as("keep-alives went out between the commands")
                .anySatisfy(note -> assertThat(note.args()).containsExactly("PING"));
    }

    @Test
    void aFailedLoginIsAClearErrorRetriedWithBackoffWhileLeaderAndThePasswordIsNeverLogged(CapturedOutput output)
            throws Exception {
        daemon.configure("another-secret", false);
        ConfigurableApplicationContext leader = start("leader");

        await("two failed logins")
                .atMost(TIMEOUT)
                .until(() -> daemon.notes("login-failed").size() >= 2);
        assertThat(output.getOut()).contains("Telnet login as 'app' failed: the destination asked for the user again");
        HttpResponse<String> refused = instances.postCommand(leader, "{\"line\":\"status\"}");
        assertThat(refused.statusCode()).isEqualTo(502);
        assertThat(daemon.notes("command")).isEmpty();

        daemon.configure(TelnetDaemon.PASSWORD, false);

        awaitGreeted(leader);
        assertThat(reply(leader, "status")).isEqualTo("status: ok");
        assertThat(output.getAll()).doesNotContain(TelnetDaemon.PASSWORD);
    }

    @Test
    void theFollowerTouchesNoSocketAndTheNextLeaderLogsInAgainWithAHigherToken() throws Exception {
        ConfigurableApplicationContext first = start("first");
        long firstToken = awaitGreeted(first);
        ConfigurableApplicationContext second = start("second");

        // The follower names the leader once its first acquire has answered "held"; it never leads.
        await("the follower names the leader").atMost(TIMEOUT).untilAsserted(() -> {
            HttpResponse<String> refused = instances.postCommand(second, "{\"line\":\"status\"}");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("\"leader\":\"first\"");
        });
        assertThat(daemon.notes("open")).as("connections to the device").hasSize(1);

        first.close();

        long secondToken = awaitGreeted(second);
        assertThat(secondToken).isGreaterThan(firstToken);
        assertThat(reply(second, "status")).isEqualTo("status: ok");
        assertThat(daemon.notes("login")).hasSize(2);
        assertThat(daemon.notes("hello"))
                .extracting(TelnetDaemon.Note::args)
                .containsExactly(
                        List.of("first", Long.toString(firstToken)), List.of("second", Long.toString(secondToken)));
        assertThat(daemon.notes("open"))
                .as("connections to the device, the follower's none")
                .hasSize(2);
        String firstSession = daemon.notes("hello").get(0).session();
        assertThat(daemon.notes("closed"))
                .anySatisfy(note -> assertThat(note.session()).isEqualTo(firstSession));
    }

    @Test
    void aReplyOverTheSizeBoundOrTheReadTimeoutIsAClearErrorAndTheNextCommandIsAnsweredRight() throws Exception {
        ConfigurableApplicationContext leader = start("leader", "telnet.max-reply-size=1KB", "telnet.read-timeout=1s");
        awaitGreeted(leader);

        HttpResponse<String> oversize = instances.postCommand(leader, "{\"line\":\"flood 5000\"}");
        assertThat(oversize.statusCode()).isEqualTo(502);
        assertThat(oversize.body()).contains("telnet.max-reply-size (1024 bytes)");
        assertThat(awaitReply(leader, "status")).isEqualTo("status: ok");

        HttpResponse<String> slow = instances.postCommand(leader, "{\"line\":\"sleep 3\"}");
        assertThat(slow.statusCode()).isEqualTo(502);
        assertThat(slow.body()).contains("Timed out waiting for the prompt after the reply (telnet.read-timeout)");
        assertThat(awaitReply(leader, "say again")).isEqualTo("said again");
    }

    private ConfigurableApplicationContext start(String instanceId, String... properties) {
        List<String> all = new ArrayList<>(List.of(
                // A store call may take longer than in application.yml on a busy machine.
                "leader.election.operation-timeout=1s",
                "telnet.prompt=" + TelnetDaemon.PROMPT,
                "telnet.login.user=" + TelnetDaemon.USER,
                "telnet.login.password=" + TelnetDaemon.PASSWORD,
                "telnet.read-timeout=5s"));
        all.addAll(List.of(properties));
        return instances.start(instanceId, daemon.port(), all.toArray(String[]::new));
    }

    /** Waits until {@code instance} leads and the device saw its greeting; returns its fencing token. */
    private long awaitGreeted(ConfigurableApplicationContext instance) {
        return await("the greeting of " + elector(instance).instanceId())
                .atMost(TIMEOUT)
                .until(
                        () -> elector(instance)
                                .currentLeadership()
                                .map(Leadership::fencingToken)
                                .filter(token -> daemon.notes("hello").stream()
                                        .anyMatch(hello -> hello.args()
                                                .equals(List.of(
                                                        elector(instance).instanceId(), Long.toString(token))))),
                        Optional::isPresent)
                .orElseThrow();
    }

    private String reply(ConfigurableApplicationContext instance, String line) throws Exception {
        HttpResponse<String> answered = instances.postCommand(instance, "{\"line\":\"" + line + "\"}");
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        return replyOf(answered);
    }

    /** The reply once the gateway has connected again. */
    private String awaitReply(ConfigurableApplicationContext instance, String line) {
        HttpResponse<String> answered = await().atMost(TIMEOUT)
                .until(
                        () -> instances.postCommand(instance, "{\"line\":\"" + line + "\"}"),
                        response -> response.statusCode() == 200);
        return replyOf(answered);
    }

    private static String replyOf(HttpResponse<String> answered) {
        String body = answered.body();
        assertThat(body).startsWith("{\"reply\":\"").endsWith("\"}");
        return body.substring("{\"reply\":\"".length(), body.length() - 2).replace("\\n", "\n");
    }
}
