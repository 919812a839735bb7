package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.event.LeadershipEvent;
import dev.leaderelection.event.LeadershipGrantedEvent;
import dev.leaderelection.event.LeadershipRevokedEvent;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.test.util.AopTestUtils;

/**
 * Every Spring listener hears every leadership event, whatever another listener throws, and a bean
 * guarded by {@link LeaderOnly} on its type still hears its own revocation. A real Redis.
 */
class LeadershipEventDeliveryTests {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private ConfigurableApplicationContext context;

    @AfterEach
    void closeApplication() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void aListenerThatThrowsAnErrorKeepsNoOtherListenerFromHearing() {
        context = start();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> context.getBean(LeaderElector.class).isLeader());

        context.getBean(LeaderElector.class).yieldLeadership();

        assertThat(context.getBean(Recorder.class).events())
                .as("heard after a listener that threw")
                .hasExactlyElementsOfTypes(LeadershipGrantedEvent.class, LeadershipRevokedEvent.class);
        assertThat(context.getBean(ThrowingListener.class).calls()).isEqualTo(2);
    }

    @Test
    void leaderOnlyOnATypeStillLetsItsRevocationListenerHear() {
        context = start();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> context.getBean(LeaderElector.class).isLeader());

        context.getBean(LeaderElector.class).yieldLeadership();

        GuardedGateway gateway = context.getBean(GuardedGateway.class);
        // read past the proxy: on a follower the guard skips every other method, accessors included
        assertThat(AopTestUtils.<GuardedGateway>getUltimateTargetObject(gateway).revocations)
                .containsExactly(RevocationReason.YIELDED);
        assertThat(gateway.work()).as("its other methods are guarded").isNull();
    }

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(ListeningApplication.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "spring.data.redis.host=" + redis.server().host(),
                        "spring.data.redis.port=" + redis.server().port(),
                        "leader.election.name=delivered",
                        "leader.election.lease-duration=4s",
                        "leader.election.renew-interval=500ms",
                        "leader.election.operation-timeout=1s")
                .run();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ListeningApplication {
        @Bean
        ThrowingListener throwingListener() {
            return new ThrowingListener();
        }

        @Bean
        Recorder recorder() {
            return new Recorder();
        }

        @Bean
        GuardedGateway guardedGateway() {
            return new GuardedGateway();
        }
    }

    static class ThrowingListener {
        private int calls;

        @EventListener
        @Order(1)
        public void on(LeadershipEvent event) {
            calls++;
            throw new AssertionError("a listener bug");
        }

        public int calls() {
            return calls;
        }
    }

    static class Recorder {
        private final List<LeadershipEvent> events = new CopyOnWriteArrayList<>();

        @EventListener
        @Order(2)
        public void on(LeadershipEvent event) {
            events.add(event);
        }

        public List<LeadershipEvent> events() {
            return events;
        }
    }

    @LeaderOnly(onFollower = LeaderOnly.OnFollower.SKIP)
    static class GuardedGateway {
        private final List<RevocationReason> revocations = new CopyOnWriteArrayList<>();

        @EventListener
        public void onRevoked(LeadershipRevokedEvent event) {
            revocations.add(event.reason());
        }

        public String work() {
            return "worked";
        }
    }
}
