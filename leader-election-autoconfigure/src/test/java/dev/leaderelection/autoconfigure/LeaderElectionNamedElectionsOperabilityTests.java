package dev.leaderelection.autoconfigure;

import static dev.leaderelection.autoconfigure.Actuator.get;
import static dev.leaderelection.autoconfigure.Actuator.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.LeaderElectors;
import dev.leaderelection.actuate.LeaderElectionHealthIndicator;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.autoconfigure.Actuator.Response;
import dev.leaderelection.testing.redis.RedisServerExtension;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;

/**
 * Two elections ({@code alpha}, the default, and {@code beta}) in whole web applications, led by
 * different instances, against a real Redis: the guard, the endpoint, health and metrics per election.
 */
class LeaderElectionNamedElectionsOperabilityTests {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeApplications() {
        contexts.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void leaderOnlyRunsOnlyOnTheLeaderOfItsElection() throws Exception {
        Instances instances = leadersOnDifferentInstances();

        for (ConfigurableApplicationContext context : List.of(instances.first(), instances.second())) {
            work(context).alpha();
            work(context).beta();
        }

        assertThat(work(instances.first()).alphaRuns()).hasValue(1);
        assertThat(work(instances.first()).betaRuns()).hasValue(0);
        assertThat(work(instances.second()).alphaRuns()).hasValue(0);
        assertThat(work(instances.second()).betaRuns()).hasValue(1);
    }

    @Test
    void theEndpointDescribesEachElectionAndYieldsOnlyTheOneItNames() throws Exception {
        ConfigurableApplicationContext first = start("app-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> leadsAll(first));
        ConfigurableApplicationContext second = start("app-2");
        await().atMost(Duration.ofSeconds(5)).until(() -> followsAll(second, "app-1"));
        long alphaToken = electors(first).get("alpha").status().fencingToken();

        JsonNode byDefault = get(first, "/actuator/leader").body();
        assertThat(byDefault.get("election").asString()).isEqualTo("alpha");
        assertThat(byDefault.get("role").asString()).isEqualTo("LEADER");
        JsonNode beta = get(first, "/actuator/leader/beta").body();
        assertThat(beta.get("election").asString()).isEqualTo("beta");
        assertThat(beta.get("role").asString()).isEqualTo("LEADER");
        assertThat(beta.get("timings").get("leaseDurationMillis").asLong()).isEqualTo(3_000);
        assertThat(get(first, "/actuator/leader/alpha")
                        .body()
                        .get("timings")
                        .get("leaseDurationMillis")
                        .asLong())
                .isEqualTo(2_000);
        assertThat(get(first, "/actuator/leader/gamma").statusCode()).isEqualTo(404);
        assertThat(post(first, "/actuator/leader/gamma").statusCode()).isEqualTo(404);

        Response yielded = post(first, "/actuator/leader/beta");

        assertThat(yielded.statusCode()).isEqualTo(200);
        assertThat(yielded.body().get("election").asString()).isEqualTo("beta");
        assertThat(yielded.body().get("role").asString()).isEqualTo("FOLLOWER");
        await().atMost(Duration.ofSeconds(2))
                .until(() -> electors(second).get("beta").isLeader());
        JsonNode alphaAfter = get(first, "/actuator/leader/alpha").body();
        assertThat(alphaAfter.get("role").asString()).isEqualTo("LEADER");
        assertThat(alphaAfter.get("fencingToken").asLong())
                .as("the same term of alpha: yielding beta left it alone")
                .isEqualTo(alphaToken);
        assertThat(get(second, "/actuator/leader/beta").body().get("leaderId").asString())
                .isEqualTo("app-2");
        assertThat(get(second, "/actuator/leader").body().get("role").asString())
                .isEqualTo("FOLLOWER");

        post(first, "/actuator/leader");
        await().atMost(Duration.ofSeconds(2))
                .until(() -> electors(second).get("alpha").isLeader());
        assertThat(electors(second).get("beta").isLeader()).isTrue();
    }

    @Test
    void healthIsACompositeWithOneChildPerElection() throws Exception {
        Instances instances = leadersOnDifferentInstances();

        assertThat(instances.first().getBean("leaderElectionHealthContributor"))
                .isInstanceOf(CompositeHealthContributor.class);
        assertThat(instances.first().getBeansOfType(LeaderElectionHealthIndicator.class))
                .isEmpty();
        Response health = get(instances.second(), "/actuator/health/leaderElection");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body().get("status").asString()).isEqualTo("UP");
        JsonNode children = health.body().get("components");
        assertThat(children.propertyNames()).containsExactly("alpha", "beta");
        assertThat(children.get("alpha").get("details").get("role").asString()).isEqualTo("FOLLOWER");
        assertThat(children.get("alpha").get("status").asString())
                .as("a follower is healthy")
                .isEqualTo("UP");
        assertThat(children.get("beta").get("details").get("role").asString()).isEqualTo("LEADER");
        JsonNode beta =
                get(instances.second(), "/actuator/health/leaderElection/beta").body();
        assertThat(beta.get("details").get("election").asString()).isEqualTo("beta");
    }

    @Test
    void healthOfASingleElectionIsThePlainIndicator() throws Exception {
        // the one election is named beta, so that the application's @LeaderOnly(election = "beta") finds it
        ConfigurableApplicationContext single = startApplication("solo-1", "leader.election.name=beta");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> single.getBean(LeaderElector.class).isLeader());

        assertThat(single.getBean("leaderElectionHealthIndicator")).isInstanceOf(LeaderElectionHealthIndicator.class);
        assertThat(single.getBeansOfType(CompositeHealthContributor.class)).isEmpty();
        JsonNode health = get(single, "/actuator/health/leaderElection").body();
        assertThat(health.has("components")).isFalse();
        assertThat(health.get("details").get("election").asString()).isEqualTo("beta");
        assertThat(health.get("details").get("role").asString()).isEqualTo("LEADER");
    }

    @Test
    void everyMeterCarriesTheElectionAndTheStore() throws Exception {
        Instances instances = leadersOnDifferentInstances();
        MeterRegistry first = meters(instances.first());
        MeterRegistry second = meters(instances.second());

        assertThat(first.get("leader.election.leader")
                        .tags("election", "alpha", "store", "redis")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
        assertThat(first.get("leader.election.leader")
                        .tags("election", "beta", "store", "redis")
                        .gauge()
                        .value())
                .isZero();
        assertThat(second.get("leader.election.leader")
                        .tags("election", "beta", "store", "redis")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
        assertThat(first.get("leader.election.transitions")
                        .tags("election", "beta", "store", "redis", "transition", "revoked", "reason", "yielded")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(first.get("leader.election.drain.wait")
                        .tags("election", "beta", "store", "redis")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(second.get("leader.election.store.latency")
                        .tags("election", "alpha", "store", "redis", "operation", "acquire")
                        .timers())
                .isNotEmpty();
        List<String> untagged = new ArrayList<>();
        for (MeterRegistry registry : List.of(first, second)) {
            for (Meter meter : registry.getMeters()) {
                Meter.Id id = meter.getId();
                if (id.getName().startsWith("leader.election.")
                        && (id.getTag("election") == null || !"redis".equals(id.getTag("store")))) {
                    untagged.add(id.toString());
                }
            }
        }
        assertThat(untagged).isEmpty();
        assertThat(first.find("leader.election.leader").gauges()).hasSize(2);
    }

    /** app-1 leads alpha, app-2 leads beta. */
    private Instances leadersOnDifferentInstances() {
        ConfigurableApplicationContext first = start("app-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> leadsAll(first));
        ConfigurableApplicationContext second = start("app-2");
        await().atMost(Duration.ofSeconds(5)).until(() -> followsAll(second, "app-1"));
        electors(first).get("beta").yieldLeadership();
        await().atMost(Duration.ofSeconds(2))
                .until(() -> electors(second).get("beta").isLeader());
        assertThat(electors(first).get("alpha").isLeader()).isTrue();
        assertThat(electors(second).get("alpha").isLeader()).isFalse();
        assertThat(electors(first).get("beta").isLeader()).isFalse();
        return new Instances(first, second);
    }

    private record Instances(ConfigurableApplicationContext first, ConfigurableApplicationContext second) {}

    private static boolean leadsAll(ConfigurableApplicationContext context) {
        return electors(context).all().stream().allMatch(LeaderElector::isLeader);
    }

    private static boolean followsAll(ConfigurableApplicationContext context, String leaderId) {
        return electors(context).all().stream().allMatch(elector -> leaderId.equals(elector.leaderId()));
    }

    private ConfigurableApplicationContext start(String instanceId) {
        return startApplication(
                instanceId,
                "leader.election.name=alpha",
                "leader.election.elections.beta.lease-duration=3s",
                "management.endpoint.leader.access=unrestricted");
    }

    private ConfigurableApplicationContext startApplication(String instanceId, String... properties) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(TwoElectionApplication.class)
                .properties(
                        "server.port=0",
                        "server.address=127.0.0.1",
                        "spring.data.redis.host=" + redis.server().host(),
                        "spring.data.redis.port=" + redis.server().port(),
                        "management.endpoints.web.exposure.include=health,leader",
                        "management.endpoint.health.show-details=always",
                        "leader.election.instance-id=" + instanceId,
                        "leader.election.lease-duration=2s",
                        "leader.election.renew-interval=500ms",
                        "leader.election.operation-timeout=300ms",
                        "leader.election.redis.restart-guard=false")
                .properties(properties)
                .run();
        contexts.add(context);
        return context;
    }

    private static LeaderElectors electors(ConfigurableApplicationContext context) {
        return context.getBean(LeaderElectors.class);
    }

    private static TwoElectionWork work(ConfigurableApplicationContext context) {
        return context.getBean(TwoElectionWork.class);
    }

    private static MeterRegistry meters(ConfigurableApplicationContext context) {
        return context.getBean(MeterRegistry.class);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TwoElectionApplication {
        @Bean
        TwoElectionWork twoElectionWork() {
            return new TwoElectionWork();
        }
    }

    static class TwoElectionWork {
        final AtomicInteger alphaRuns = new AtomicInteger();
        final AtomicInteger betaRuns = new AtomicInteger();

        // The bean is a class proxy: tests read its state through methods, not fields.
        public AtomicInteger alphaRuns() {
            return alphaRuns;
        }

        public AtomicInteger betaRuns() {
            return betaRuns;
        }

        @LeaderOnly
        public void alpha() {
            alphaRuns.incrementAndGet();
        }

        @LeaderOnly(election = "beta")
        public void beta() {
            betaRuns.incrementAndGet();
        }
    }
}
