package dev.leaderelection.sample;

import static dev.leaderelection.sample.SampleInstances.elector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.Leadership;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** Two or more gateway instances on one real Redis, talking to one real socket destination. */
class TelnetGatewayTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

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
    void onlyTheLeaderConnectsAndGreetsWithItsFencingToken() {
        start("first");
        start("second");

        int connection = awaitGreetedConnection();
        await().during(Duration.ofSeconds(1))
                .atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(destination.accepted()).isEqualTo(1));

        ConfigurableApplicationContext leader = leader();
        Leadership term = elector(leader).currentLeadership().orElseThrow();
        assertThat(destination.open()).containsExactly(connection);
        assertThat(greeting(connection)).isEqualTo("HELLO " + term.instanceId() + " " + term.fencingToken());
    }

    @Test
    void theNextLeaderConnectsOnlyAfterTheFirstConnectionClosed() {
        start("first");
        start("second");
        int first = awaitGreetedConnection();
        ConfigurableApplicationContext leader = leader();
        String leaderId = elector(leader).instanceId();

        leader.close();

        await().atMost(TIMEOUT).until(() -> destination.accepted() >= 2);
        int second = awaitGreetedConnection();
        assertThat(second).isNotEqualTo(first);
        String nextLeaderId = elector(leader()).instanceId();
        assertThat(nextLeaderId).isNotEqualTo(leaderId);
        assertThat(greeting(second)).startsWith("HELLO " + nextLeaderId + " ");
        long firstClosed = destination.closedAt(first).orElseThrow().nanos();
        long secondGreeted = destination.firstLine(second).orElseThrow().nanos();
        assertThat(firstClosed).isLessThan(secondGreeted);
        assertThat(fencingToken(greeting(second))).isGreaterThan(fencingToken(greeting(first)));
    }

    @Test
    void losingRedisClosesTheConnection() {
        ConfigurableApplicationContext only = start("only");
        int connection = awaitGreetedConnection();

        redis.server().kill();

        await().atMost(TIMEOUT)
                .untilAsserted(
                        () -> assertThat(destination.closedAt(connection)).isPresent());
        assertThat(elector(only).isLeader()).isFalse();
        assertThat(destination.open()).isEmpty();
    }

    @Test
    void commandsGoThroughTheLeaderOnly() throws Exception {
        start("first");
        start("second");
        int connection = awaitGreetedConnection();
        ConfigurableApplicationContext leader = leader();
        ConfigurableApplicationContext follower =
                instances.all().stream().filter(i -> i != leader).findFirst().orElseThrow();
        String leaderId = elector(leader).instanceId();

        await().atMost(TIMEOUT).untilAsserted(() -> {
            HttpResponse<String> refused = instances.postCommand(follower, "{\"line\":\"status\"}");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("\"error\":\"not leader\"").contains("\"leader\":\"" + leaderId + "\"");
        });
        assertThat(destination.firstLine(connection).map(TestDestination.Event::text))
                .hasValueSatisfying(line -> assertThat(line).startsWith("HELLO " + leaderId));
        assertThat(lines()).doesNotContain("status");

        HttpResponse<String> answered = instances.postCommand(leader, "{\"line\":\"status\"}");

        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.body()).isEqualTo("{\"reply\":\"echo: status\"}");
        assertThat(lines()).containsOnlyOnce("status");
        assertThat(destination.accepted()).isEqualTo(1);
    }

    private ConfigurableApplicationContext start(String instanceId) {
        // A store call may take longer than in application.yml, so that a stalled CPU on a busy
        // machine does not end a term and open a second connection.
        return instances.start(instanceId, destination, "leader.election.operation-timeout=1s");
    }

    /** The one connection that is open and has greeted. */
    private int awaitGreetedConnection() {
        return await().atMost(TIMEOUT)
                .until(destination::greetedOpenConnection, Optional::isPresent)
                .orElseThrow();
    }

    private ConfigurableApplicationContext leader() {
        return await().atMost(TIMEOUT)
                .until(
                        () -> instances.all().stream()
                                .filter(ConfigurableApplicationContext::isActive)
                                .filter(context -> elector(context).isLeader())
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    private String greeting(int connection) {
        return destination.firstLine(connection).orElseThrow().text();
    }

    private List<String> lines() {
        return destination.events().stream()
                .filter(event -> event.kind() == TestDestination.Kind.LINE)
                .map(TestDestination.Event::text)
                .toList();
    }

    private static long fencingToken(String greeting) {
        return Long.parseLong(greeting.substring(greeting.lastIndexOf(' ') + 1));
    }
}
