package dev.leaderelection.autoconfigure;

import static dev.leaderelection.autoconfigure.Actuator.get;
import static dev.leaderelection.autoconfigure.Actuator.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.autoconfigure.Actuator.Response;
import dev.leaderelection.testing.redis.RedisServerExtension;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** The endpoint, health and metrics of whole web applications, over real HTTP, against a real Redis. */
class LeaderElectionOperabilityTests {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeApplications() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void theEndpointDescribesTheLeaderAndTheFollower() throws Exception {
        ConfigurableApplicationContext leader = startLeader("app-1");
        ConfigurableApplicationContext follower = startFollowerOf("app-1", "app-2");

        JsonNode leading = get(leader, "/actuator/leader").body();
        assertThat(leading.get("election").asString()).isEqualTo("operated");
        assertThat(leading.get("instanceId").asString()).isEqualTo("app-1");
        assertThat(leading.get("role").asString()).isEqualTo("LEADER");
        assertThat(leading.get("leaderId").asString()).isEqualTo("app-1");
        assertThat(leading.get("fencingToken").asLong()).isPositive();
        assertThat(leading.get("leaseRemainingMillis").asLong()).isBetween(1L, 2_000L);
        assertThat(leading.get("since").asString()).isNotBlank();
        assertThat(leading.get("lastRenewal").asString()).isNotBlank();
        assertThat(leading.get("store").asString()).isEqualTo("redis");
        assertThat(leading.get("timings").get("leaseDurationMillis").asLong()).isEqualTo(2_000);
        assertThat(leading.get("timings").get("renewIntervalMillis").asLong()).isEqualTo(500);

        await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> get(follower, "/actuator/leader")
                                .body()
                                .get("wakeUps")
                                .asString(),
                        "SUBSCRIBED"::equals);
        JsonNode following = get(follower, "/actuator/leader").body();
        assertThat(following.get("role").asString()).isEqualTo("FOLLOWER");
        assertThat(following.get("leaderId").asString()).isEqualTo("app-1");
        assertThat(following.get("fencingToken").isNull()).isTrue();
        assertThat(following.get("leaseRemainingMillis").isNull()).isTrue();
    }

    @Test
    void yieldingOverHttpIsRefusedUnlessAccessIsGranted() throws Exception {
        ConfigurableApplicationContext leader = startLeader("app-1");

        assertThat(post(leader, "/actuator/leader").statusCode()).isEqualTo(405);

        assertThat(elector(leader).isLeader()).isTrue();
    }

    @Test
    void yieldingOverHttpHandsLeadershipOverWhenAccessIsGranted() throws Exception {
        String unrestricted = "management.endpoint.leader.access=unrestricted";
        ConfigurableApplicationContext leader = startLeader("app-1", unrestricted);
        ConfigurableApplicationContext follower = startFollowerOf("app-1", "app-2", unrestricted);

        Response answer = post(leader, "/actuator/leader");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body().get("role").asString()).isEqualTo("FOLLOWER");
        await().atMost(Duration.ofSeconds(2)).until(() -> elector(follower).isLeader());
        assertThat(meters(leader)
                        .get("leader.election.transitions")
                        .tags("transition", "revoked", "reason", "yielded")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void healthIsUpForAFollowerDownWhileRedisIsGoneAndUpWhenItReturns() throws Exception {
        startLeader("app-1");
        ConfigurableApplicationContext follower = startFollowerOf("app-1", "app-2");

        Response up = get(follower, "/actuator/health/leaderElection");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body().get("status").asString()).isEqualTo("UP");
        assertThat(up.body().get("details").get("role").asString()).isEqualTo("FOLLOWER");
        assertThat(up.body().get("details").get("leaderId").asString()).isEqualTo("app-1");

        redis.server().kill();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> get(follower, "/actuator/health/leaderElection").statusCode() == 503);
        JsonNode down = get(follower, "/actuator/health/leaderElection").body();
        assertThat(down.get("status").asString()).isEqualTo("DOWN");
        assertThat(down.get("details").get("role").asString()).isEqualTo("STANDBY");
        assertThat(down.get("details").get("lastError").asString()).isNotBlank();

        redis.server().start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get(follower, "/actuator/health/leaderElection").statusCode() == 200);
    }

    @Test
    void metersShowTheRoleTheLeaseAndTheStoreCalls() {
        ConfigurableApplicationContext leader = startLeader("app-1");
        ConfigurableApplicationContext follower = startFollowerOf("app-1", "app-2");

        assertThat(meters(leader)
                        .get("leader.election.leader")
                        .tag("election", "operated")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
        assertThat(meters(follower).get("leader.election.leader").gauge().value())
                .isZero();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> meters(follower)
                                .get("leader.election.wakeups.subscribed")
                                .gauge()
                                .value()
                        == 1.0);
        assertThat(meters(leader).get("leader.election.lease.remaining").gauge().value())
                .isBetween(0.001, 2.0);
        assertThat(meters(leader)
                        .get("leader.election.transitions")
                        .tags("transition", "granted", "reason", "acquired")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        await().atMost(Duration.ofSeconds(3)).until(() -> renewals(leader) >= 2);
        long renewals = renewals(leader);
        await().atMost(Duration.ofSeconds(3)).until(() -> renewals(leader) > renewals);
        assertThat(meters(follower)
                        .get("leader.election.store.latency")
                        .tags("operation", "acquire", "outcome", "success")
                        .timer()
                        .count())
                .isPositive();
    }

    private static long renewals(ConfigurableApplicationContext context) {
        return Stream.of(meters(context)
                        .find("leader.election.store.latency")
                        .tags("operation", "renew", "outcome", "success")
                        .timer())
                .mapToLong(timer -> timer == null ? 0 : timer.count())
                .sum();
    }

    private ConfigurableApplicationContext startLeader(String id, String... properties) {
        ConfigurableApplicationContext context = start(id, properties);
        await().atMost(Duration.ofSeconds(5)).until(() -> elector(context).isLeader());
        return context;
    }

    private ConfigurableApplicationContext startFollowerOf(String leaderId, String id, String... properties) {
        ConfigurableApplicationContext context = start(id, properties);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> leaderId.equals(elector(context).leaderId()));
        return context;
    }

    private ConfigurableApplicationContext start(String instanceId, String... properties) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(OperatedApplication.class)
                .properties(
                        "server.port=0",
                        "server.address=127.0.0.1",
                        "spring.data.redis.host=" + redis.server().host(),
                        "spring.data.redis.port=" + redis.server().port(),
                        "management.endpoints.web.exposure.include=health,leader",
                        "management.endpoint.health.show-details=always",
                        "leader.election.name=operated",
                        "leader.election.instance-id=" + instanceId,
                        "leader.election.lease-duration=2s",
                        "leader.election.renew-interval=500ms",
                        "leader.election.operation-timeout=300ms",
                        "leader.election.backoff.max=500ms")
                .properties(properties)
                .run();
        contexts.add(context);
        return context;
    }

    private static LeaderElector elector(ConfigurableApplicationContext context) {
        return context.getBean(LeaderElector.class);
    }

    private static MeterRegistry meters(ConfigurableApplicationContext context) {
        return context.getBean(MeterRegistry.class);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class OperatedApplication {}
}
