package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The calls a started store sends so that the JVM compiles the client's code before the first hand-off. */
class RedisClientWarmUpTests {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    void startSendsTheReadOnlyElectionCallsAFewHundredTimesAndWritesNothing() {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(redis.server());
        redis.command("CONFIG", "RESETSTAT");
        try (RedisLeaseStore store =
                RedisLeaseStore.builder(connections).keyPrefix("warm").build()) {
            store.start();

            int each = ClientWarmUp.CALLS / 2;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(calls("pttl")).isGreaterThanOrEqualTo(each);
                assertThat(calls("evalsha")).isGreaterThanOrEqualTo(each);
            });
            assertThat(redis.command("DBSIZE")).isEqualTo("0");
            assertThat(calls("pttl")).isLessThan(2 * each); // one round, not a loop
        } finally {
            connections.destroy();
        }
    }

    /** How often Redis ran {@code command}, scripts' own calls included. */
    private static long calls(String command) {
        Matcher calls = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
                .matcher(String.valueOf(redis.command("INFO", "commandstats")));
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }
}
