package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseStoreContractTest;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;

class RedisLeaseStoreTests extends LeaseStoreContractTest {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static LettuceConnectionFactory connectionFactory;
    private static RedisLeaseStore store;

    @BeforeAll
    static void connect() {
        connectionFactory = LettuceFactories.connectedTo(redis.server());
        store = new RedisLeaseStore(connectionFactory, "test");
    }

    @AfterAll
    static void disconnect() {
        store.close();
        connectionFactory.destroy();
    }

    @Override
    protected LeaseStore store() {
        return store;
    }

    @Test
    void keysOfOneElectionShareAHashTag(TestInfo test) {
        LeaseToken token = LeaseToken.random("node-a");
        long fencingToken = granted(store.acquire("orders", token, LONG_TTL));

        assertThat(redis.command("GET", "{test:orders}:lease")).isEqualTo(token.encoded());
        assertThat(redis.command("GET", "{test:orders}:epoch")).isEqualTo(Long.toString(fencingToken));
    }

    @Test
    void fencingTokensKeepIncreasingAfterTheServerRestartsEmpty() {
        LeaseToken token = LeaseToken.random("node-a");
        long beforeRestart = granted(store.acquire("restarts", token, LONG_TTL));

        redis.server().kill();
        redis.server().start();

        long afterRestart = granted(store.acquire("restarts", LeaseToken.random("node-b"), LONG_TTL));
        assertThat(redis.command("EXISTS", "{test:restarts}:lease")).isEqualTo("1");
        assertThat(afterRestart).isGreaterThan(beforeRestart);
    }

    @Test
    void scriptsStillRunAfterTheScriptCacheIsFlushed() {
        LeaseToken token = LeaseToken.random("node-a");
        granted(store.acquire("flushed", token, LONG_TTL));

        assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("OK");

        assertThat(answer(store.renew("flushed", token, LONG_TTL))).isTrue();
        assertThat(answer(store.release("flushed", token))).isTrue();
    }

    @Test
    void startLoadsEveryScriptSoTheFirstCallNeedsNoFallback() {
        assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("OK");

        try (RedisLeaseStore started = new RedisLeaseStore(connectionFactory, "warm")) {
            started.start();

            String[] shas = Stream.of("acquire.lua", "renew.lua", "release.lua", "inspect.lua")
                    .map(name -> RedisScript.of(new ClassPathResource(name, RedisLeaseStore.class))
                            .getSha1())
                    .toArray(String[]::new);
            assertThat(redis.command(Stream.concat(Stream.of("SCRIPT", "EXISTS"), Stream.of(shas))
                            .toArray(String[]::new)))
                    .isEqualTo("1\n1\n1\n1");
        }
    }

    @Test
    void startWithRedisDownGivesUpTheWarmUpAndSucceedsLater() {
        redis.server().kill();
        try (RedisLeaseStore started = new RedisLeaseStore(connectionFactory, "cold")) {
            long before = System.nanoTime();
            started.start();
            assertThat(Duration.ofNanos(System.nanoTime() - before))
                    .isLessThan(RedisLeaseStore.WARM_UP_TIMEOUT.plusSeconds(3));

            redis.server().start();
            assertThat(granted(started.acquire("cold", LeaseToken.random("node-a"), LONG_TTL)))
                    .isPositive();
        }
    }

    @Test
    void callsReturnAtOnceWhileTheFirstConnectionWaitsForAFrozenServer() {
        redis.server().pause();
        LettuceConnectionFactory fresh = LettuceFactories.connectedTo(redis.server());
        try (RedisLeaseStore unconnected = new RedisLeaseStore(fresh, "frozen")) {
            long before = System.nanoTime();
            CompletionStage<AcquireResult> pending =
                    unconnected.acquire("frozen", LeaseToken.random("node-a"), LONG_TTL);
            assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofMillis(500));
            assertThat(pending.toCompletableFuture()).isNotDone();

            before = System.nanoTime();
            unconnected.start();
            assertThat(Duration.ofNanos(System.nanoTime() - before))
                    .isLessThan(RedisLeaseStore.WARM_UP_TIMEOUT.plusSeconds(1));

            redis.server().resume();
            assertThat(granted(pending)).isPositive();
        } finally {
            fresh.destroy();
        }
    }

    @Test
    void rejectAKeyPrefixThatWouldBreakTheKeyLayout() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new RedisLeaseStore(connectionFactory, "bad{prefix}"))
                .withMessage(
                        "key prefix 'bad{prefix}' must be non-empty and use only letters, digits, '.', '_', ':' and '-'");
    }
}
