package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The warning at startup when Redis may evict the election keys. */
@ExtendWith(OutputCaptureExtension.class)
class RedisEvictionCheckTests {

    private static final String WARNING = "may evict the election keys";

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @AfterEach
    void restoreTheServerDefaults() {
        redis.command("CONFIG", "SET", "maxmemory", "0");
        redis.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
        redis.command("ACL", "DELUSER", "no-config");
    }

    @Test
    void startWarnsOnceWhenRedisMayEvictTheElectionKeys(CapturedOutput output) {
        redis.command("CONFIG", "SET", "maxmemory", "100mb");
        redis.command("CONFIG", "SET", "maxmemory-policy", "volatile-lru");

        startAStore(LettuceFactories.connectedTo(redis.server()));

        assertThat(output.getOut().lines().filter(line -> line.contains(WARNING)))
                .singleElement()
                .asString()
                .contains("WARN")
                .contains("maxmemory is 104857600 and maxmemory-policy is volatile-lru")
                .contains("Set maxmemory-policy to noeviction");
    }

    @Test
    void startDoesNotWarnWhenRedisEvictsNothing(CapturedOutput output) {
        startAStore(LettuceFactories.connectedTo(redis.server()));
        redis.command("CONFIG", "SET", "maxmemory", "100mb");
        startAStore(LettuceFactories.connectedTo(redis.server()));

        assertThat(output.getOut()).doesNotContain(WARNING);
    }

    @Test
    void startGoesOnWhenRedisRefusesConfig(CapturedOutput output) {
        redis.command("CONFIG", "SET", "maxmemory", "100mb");
        redis.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        redis.command("ACL", "SETUSER", "no-config", "on", ">secret", "allkeys", "allchannels", "+@all", "-config");
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        logging.setLogLevel(EvictionCheck.class.getName(), LogLevel.DEBUG);
        try {
            startAStore(LettuceFactories.connectedAs(redis.server(), "no-config", "secret"));
        } finally {
            logging.setLogLevel(EvictionCheck.class.getName(), null);
        }

        assertThat(output.getOut()).doesNotContain(WARNING);
        assertThat(output.getOut().lines().filter(line -> line.contains("Could not read maxmemory")))
                .singleElement()
                .asString()
                .contains("DEBUG")
                .contains("NOPERM");
    }

    /** Starts and stops a store as a context would; its warm-up runs the check. */
    private static void startAStore(LettuceConnectionFactory connections) {
        // The check follows a warm-up that must fit WARM_UP_TIMEOUT, which a cold first connection on a
        // busy machine may not: open it first, so that the warm-up only loads the scripts.
        try (ReactiveRedisConnection connection = connections.getReactiveConnection()) {
            connection.ping().block(Duration.ofSeconds(10));
        }
        try (RedisLeaseStore store =
                RedisLeaseStore.builder(connections).keyPrefix("evict").build()) {
            store.start();
            store.stop();
        } finally {
            connections.destroy();
        }
    }
}
