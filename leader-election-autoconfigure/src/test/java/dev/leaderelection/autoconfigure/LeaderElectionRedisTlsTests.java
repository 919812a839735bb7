package dev.leaderelection.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.testing.redis.TlsRedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** An election over TLS: Spring Boot's SSL bundle trusts the test server's own certificate. */
class LeaderElectionRedisTlsTests {

    static TlsRedisServer redis;

    @BeforeAll
    static void startRedisWithTls() {
        if (!TlsRedisServer.binarySupportsTls()) {
            String why = "redis-server was built without TLS: put one with TLS on PATH (Debian's redis-server has it)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            assumeTrue(false, "Skipping the TLS tests: " + why);
        }
        redis = TlsRedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    SslAutoConfiguration.class,
                    DataRedisAutoConfiguration.class,
                    LeaderElectionRedisAutoConfiguration.class,
                    LeaderElectionAutoConfiguration.class))
            .withPropertyValues(
                    "spring.data.redis.host=" + redis.host(),
                    "spring.data.redis.port=" + redis.tlsPort(),
                    "spring.data.redis.ssl.bundle=redis",
                    "spring.ssl.bundle.pem.redis.truststore.certificate=file:" + redis.certificate(),
                    // About the transport: a leader within seconds, without the guard's hold on a fresh server.
                    "leader.election.redis.restart-guard=false");

    @Test
    void runWithAnSslBundleShouldGrantTheElectionOverTls() {
        contextRunner.withPropertyValues("leader.election.name=tls").run(context -> {
            assertThat(context).hasNotFailed();
            LeaderElector elector = context.getBean(LeaderElector.class);
            await().atMost(Duration.ofSeconds(10)).until(elector::isLeader);
            assertThat(redis.command("GET", "{leader-election:tls}:lease")).endsWith(":" + elector.instanceId());
        });
    }
}
