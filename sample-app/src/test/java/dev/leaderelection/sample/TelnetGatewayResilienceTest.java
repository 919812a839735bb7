package dev.leaderelection.sample;

import static dev.leaderelection.sample.SampleInstances.elector;
import static dev.leaderelection.sample.SampleInstances.gateway;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.Leadership;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The leader's connection over time: keep-alives while it is up, a destination that is down when
 * leadership begins or goes down in the middle of a term, and a term that finds an older term's
 * connection or none at all. Real Redis, real sockets.
 */
@ExtendWith(OutputCaptureExtension.class)
class TelnetGatewayResilienceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KEEP_ALIVE = Duration.ofMillis(200);
    /** {@code leader.election.lease-duration} in application.yml. */
    private static final Duration LEASE = Duration.ofSeconds(2);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final SampleInstances instances = new SampleInstances(redis.server());
    private final List<TestDestination> destinations = new ArrayList<>();

    @AfterEach
    void stopEverything() throws IOException {
        instances.close();
        for (TestDestination destination : destinations) {
            destination.close();
        }
    }

    @Test
    void theLeaderSendsKeepAlivesAtTheIntervalAfterItsGreetingAndAFollowerSendsNothing() throws IOException {
        TestDestination leaderDestination = listening();
        TestDestination followerDestination = listening();
        ConfigurableApplicationContext leader = start("leader", leaderDestination);
        int connection = awaitGreetedConnection(leaderDestination);
        Leadership term = elector(leader).currentLeadership().orElseThrow();
        // Pointed at a destination of its own, so that anything it sent would be told apart.
        ConfigurableApplicationContext follower = start("follower", followerDestination);

        int keepAlives = 5;
        await("greeting and " + keepAlives + " keep-alives")
                .atMost(TIMEOUT)
                .until(() -> leaderDestination.lines(connection).size() > keepAlives);
        holdsFor("follower silent, leader in one term", KEEP_ALIVE.multipliedBy(keepAlives))
                .untilAsserted(() -> {
                    assertThat(followerDestination.accepted()).isZero();
                    // One term all along, so the follower never led in between.
                    assertThat(currentToken(leader)).hasValue(term.fencingToken());
                });

        List<TestDestination.Event> lines = leaderDestination.lines(connection);
        assertThat(lines.get(0).text()).isEqualTo("HELLO leader " + term.fencingToken());
        List<TestDestination.Event> pings = lines.subList(1, lines.size());
        assertThat(pings)
                .hasSizeGreaterThanOrEqualTo(keepAlives)
                .allSatisfy(ping -> assertThat(ping.text()).isEqualTo("PING"));
        // fixedDelay: the next PING leaves at least one interval after the previous reply came back,
        // and the destination records a line before it echoes it.
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < pings.size(); i++) {
            gaps.add(Duration.ofNanos(pings.get(i).nanos() - pings.get(i - 1).nanos()));
        }
        assertThat(gaps)
                .as("gaps between keep-alives")
                .allSatisfy(gap -> assertThat(gap).isGreaterThanOrEqualTo(KEEP_ALIVE));
        assertThat(median(gaps)).as("median of the gaps %s", gaps).isLessThan(KEEP_ALIVE.multipliedBy(3));
        assertThat(leaderDestination.accepted()).isEqualTo(1);
        assertThat(leaderDestination.open()).containsExactly(connection);
        assertThat(elector(follower).isLeader()).isFalse();
        assertThat(elector(follower).leaderId()).isEqualTo("leader");
        assertThat(gateway(follower).isConnected()).isFalse();
        assertThat(followerDestination.events()).isEmpty();
    }

    @Test
    void aLeaderWhoseDestinationIsDownStaysLeaderAndKeepsRetryingUntilItComesUpThenGreetsOnce(CapturedOutput output)
            throws Exception {
        TestDestination destination = down();
        ConfigurableApplicationContext only = start("only", destination);
        long token = awaitLeadership(only).fencingToken();
        await("three failed connection attempts").atMost(TIMEOUT).until(() -> failedAttempts(output, destination) >= 3);

        int failedBefore = failedAttempts(output, destination);
        // Longer than the lease: the term is renewed, not merely not expired yet.
        holdsFor("leader in the same term", LEASE.plusMillis(500))
                .untilAsserted(() -> assertThat(currentToken(only)).hasValue(token));
        assertThat(failedAttempts(output, destination)).isGreaterThan(failedBefore);
        assertThat(gateway(only).isConnected()).isFalse();
        HttpResponse<String> unavailable = instances.postCommand(only, "{\"line\":\"status\"}");
        assertThat(unavailable.statusCode()).isEqualTo(502);
        assertThat(unavailable.body()).contains("No Telnet connection for the current term");
        assertThat(destination.accepted()).isZero();

        destination.listen();

        int connection = awaitGreetedConnection(destination);
        assertThat(destination.firstLine(connection).orElseThrow().text()).isEqualTo("HELLO only " + token);
        holdsFor("a single connection", Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(destination.accepted()).isEqualTo(1));
        assertThat(destination.open()).containsExactly(connection);
        assertThat(currentToken(only)).hasValue(token);
        assertThat(gateway(only).isConnected()).isTrue();
        assertThat(destination.lines(connection))
                .extracting(TestDestination.Event::text)
                .doesNotContain("status");
    }

    @Test
    void aLeaderWhoseDestinationGoesDownReconnectsWhenItIsBackAndGreetsAgainInTheSameTerm(CapturedOutput output)
            throws Exception {
        TestDestination destination = listening();
        ConfigurableApplicationContext only = start("only", destination);
        int first = awaitGreetedConnection(destination);
        long token = currentToken(only).orElseThrow();
        assertThat(destination.firstLine(first).orElseThrow().text()).isEqualTo("HELLO only " + token);

        destination.stop();

        await("first connection closed")
                .atMost(TIMEOUT)
                .until(() -> destination.closedAt(first).isPresent());
        // The keep-alive finds the connection broken, then at least one attempt is refused.
        await("broken connection noticed, then a refused attempt")
                .atMost(TIMEOUT)
                .until(() -> failedAttempts(output, destination) >= 2);
        assertThat(currentToken(only)).hasValue(token);
        assertThat(gateway(only).isConnected()).isFalse();

        destination.listen();

        int second = awaitGreetedConnection(destination);
        assertThat(second).isNotEqualTo(first);
        assertThat(destination.firstLine(second).orElseThrow().text()).isEqualTo("HELLO only " + token);
        await("a keep-alive on the new connection")
                .atMost(TIMEOUT)
                .until(() -> destination.lines(second).size() >= 2);
        List<TestDestination.Event> lines = destination.lines(second);
        assertThat(lines.subList(1, lines.size()))
                .extracting(TestDestination.Event::text)
                .containsOnly("PING");
        assertThat(destination.accepted()).isEqualTo(2);
        assertThat(destination.open()).containsExactly(second);
        assertThat(currentToken(only)).hasValue(token);
    }

    @Test
    void aNewTermReplacesTheConnectionOfAnOlderTermThatWasNeverClosed(CapturedOutput output) throws IOException {
        TestDestination destination = listening();
        ConfigurableApplicationContext only =
                start("only", destination, StopFailingGateway.class, "leader.election.yield-cooldown=100ms");
        int first = awaitGreetedConnection(destination);
        long firstToken = currentToken(only).orElseThrow();

        // The session's stop() fails on the revocation, so the first term's connection stays open,
        // the session still counts as running (it is not started again) and its keep-alives go on.
        elector(only).yieldLeadership();

        long secondToken = await("a second term")
                .atMost(TIMEOUT)
                .until(() -> currentToken(only).filter(token -> token != firstToken), Optional::isPresent)
                .orElseThrow();
        await("the first term's connection closed")
                .atMost(TIMEOUT)
                .until(() -> destination.closedAt(first).isPresent());
        int second = awaitGreetedConnection(destination);
        assertThat(secondToken).isGreaterThan(firstToken);
        assertThat(output.getOut()).contains("close_telnet: fencingToken=" + firstToken + " reason=REPLACED");
        assertThat(destination.firstLine(second).orElseThrow().text()).isEqualTo("HELLO only " + secondToken);
        holdsFor("two connections in all", Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(destination.accepted()).isEqualTo(2));
        assertThat(destination.open()).containsExactly(second);
        assertThat(gateway(only).isConnected()).isTrue();
    }

    @Test
    void aTermWhoseFirstConnectFailsConnectsOnceThoughItsKeepAlivesFindNoConnection(CapturedOutput output)
            throws IOException {
        TestDestination destination = down();
        ConfigurableApplicationContext only = start(
                "only",
                destination,
                TelnetGateway.class,
                "logging.level.dev.leaderelection.sample.TelnetGateway=debug");
        long token = awaitLeadership(only).fencingToken();
        // Several keep-alives find no connection while the destination is down: one connect retries.
        await("three failed connection attempts").atMost(TIMEOUT).until(() -> failedAttempts(output, destination) >= 3);
        await("keep-alives that found no connection")
                .atMost(TIMEOUT)
                .until(() -> output.getOut().contains("Keep-alive skipped: No Telnet connection for the current term"));

        destination.listen();

        int connection = awaitGreetedConnection(destination);
        assertThat(destination.firstLine(connection).orElseThrow().text()).isEqualTo("HELLO only " + token);
        holdsFor("a single connection", Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(destination.accepted()).isEqualTo(1));
        assertThat(destination.open()).containsExactly(connection);
        assertThat(currentToken(only)).hasValue(token);
        assertThat(gateway(only).isConnected()).isTrue();
    }

    private TestDestination listening() throws IOException {
        TestDestination destination = new TestDestination();
        destinations.add(destination);
        return destination;
    }

    private TestDestination down() throws IOException {
        TestDestination destination = TestDestination.down();
        destinations.add(destination);
        return destination;
    }

    private ConfigurableApplicationContext start(String instanceId, TestDestination destination) {
        return start(instanceId, destination, TelnetGateway.class);
    }

    private ConfigurableApplicationContext start(
            String instanceId,
            TestDestination destination,
            Class<? extends TelnetGateway> gatewayClass,
            String... properties) {
        return instances.start(
                instanceId,
                destination,
                gatewayClass,
                Stream.concat(
                                Stream.of(
                                        "telnet.keep-alive-interval=" + KEEP_ALIVE.toMillis() + "ms",
                                        // Lease and renewal as in application.yml; a store call may take
                                        // longer than there, so that a stalled CPU on a busy machine does
                                        // not end a term.
                                        "leader.election.operation-timeout=1s"),
                                Stream.of(properties))
                        .toArray(String[]::new));
    }

    /** The one connection to {@code destination} that is open and has greeted. */
    private static int awaitGreetedConnection(TestDestination destination) {
        return await("an open, greeted connection")
                .atMost(TIMEOUT)
                .until(destination::greetedOpenConnection, Optional::isPresent)
                .orElseThrow();
    }

    private static Leadership awaitLeadership(ConfigurableApplicationContext instance) {
        return await("leadership")
                .atMost(TIMEOUT)
                .until(() -> elector(instance).currentLeadership(), Optional::isPresent)
                .orElseThrow();
    }

    /** The fencing token of the instance's current term, if it leads. */
    private static Optional<Long> currentToken(ConfigurableApplicationContext instance) {
        LeaderElector elector = elector(instance);
        return elector.isLeader() ? elector.currentLeadership().map(Leadership::fencingToken) : Optional.empty();
    }

    /** How often the gateway logged that {@code destination} failed and that it will try again. */
    private static int failedAttempts(CapturedOutput output, TestDestination destination) {
        Pattern failed =
                Pattern.compile("Telnet destination [^ ]+:" + destination.port() + " failed \\(.*\\); reconnecting in");
        Matcher matcher = failed.matcher(output.getOut());
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    /**
     * Awaits a condition that must hold for the whole of {@code period}. Every condition passed here
     * can never hold again once it failed, so failing fast loses nothing.
     */
    private static ConditionFactory holdsFor(String alias, Duration period) {
        return await(alias).during(period).atMost(period.plusSeconds(2));
    }

    private static Duration median(List<Duration> durations) {
        return durations.stream().sorted().toList().get(durations.size() / 2);
    }

    /**
     * A session whose first {@code stop()} fails before it closes anything; later ones work, so that
     * the context's own stop at the end of the test does not wait for a callback that never comes.
     */
    static class StopFailingGateway extends TelnetGateway {

        private final AtomicBoolean failed = new AtomicBoolean();

        StopFailingGateway(LeaderElector elector, TelnetProperties properties) {
            super(elector, properties);
        }

        @Override
        public void stop() {
            if (failed.compareAndSet(false, true)) {
                throw new IllegalStateException("This session's first stop() fails on purpose");
            }
            super.stop();
        }
    }
}
