package dev.leaderelection.redis;

import static dev.leaderelection.redis.RedisLeaseStore.LEASE_MARGIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.tck.LeaseStoreContract;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;

class RedisLeaseStoreTests extends LeaseStoreContract {

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private static LettuceConnectionFactory connectionFactory;
    private static RedisLeaseStore store;

    @BeforeAll
    static void connect() {
        connectionFactory = LettuceFactories.connectedTo(redis.server());
        // The contract is about the store's operations on a running server, and its 30 s leases would
        // keep the guard on for 31 s after the server starts; RedisRestartGuardTests covers the guard.
        store = RedisLeaseStore.builder(connectionFactory)
                .keyPrefix("test")
                .restartGuard(false)
                .build();
    }

    /** The connections of the further clients the contract opened in this test. */
    private final List<LettuceConnectionFactory> clientConnections = new ArrayList<>();

    @AfterAll
    static void disconnect() {
        store.close();
        connectionFactory.destroy();
    }

    @AfterEach
    void disconnectFurtherClients() {
        clientConnections.forEach(LettuceConnectionFactory::destroy);
    }

    @Override
    public LeaseStore store() {
        return store;
    }

    /** Another process's store: connections of its own, same key prefix, restart guard off as above. */
    @Override
    public LeaseStore newClient() {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(redis.server());
        clientConnections.add(connections);
        return unguarded(connections, store.keyPrefix());
    }

    /** An empty restart, without the restart: the election keys, epochs included, are gone. */
    @Override
    public void wipeStoreData() {
        assertThat(redis.command("FLUSHALL")).isEqualTo("OK");
    }

    @Test
    void keysOfOneElectionShareAHashTag(TestInfo test) {
        LeaseToken token = LeaseToken.random("node-a");
        long fencingToken = granted(store.acquire("orders", token, LONG_TTL));

        assertThat(redis.command("GET", "{test:orders}:lease")).isEqualTo(token.encoded());
        assertThat(redis.command("GET", "{test:orders}:term")).isEqualTo(token.encoded());
        assertThat(redis.command("GET", "{test:orders}:epoch")).isEqualTo(Long.toString(fencingToken));
    }

    @Test
    void theTermKeepsOthersOutAfterTheLeaseKeyIsDeletedButTheHolderCannotRenew() {
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store.acquire("deleted", holder, Duration.ofSeconds(10)));

        assertThat(redis.command("DEL", "{test:deleted}:lease")).isEqualTo("1");

        assertThat(answer(store.acquire("deleted", LeaseToken.random("node-b"), LONG_TTL)))
                .isInstanceOfSatisfying(AcquireResult.Held.class, held -> {
                    assertThat(held.holder().instanceId()).isEqualTo("node-a");
                    assertThat(held.holder().remaining())
                            .isBetween(
                                    Duration.ofSeconds(5),
                                    Duration.ofSeconds(10).plus(LEASE_MARGIN));
                });
        assertThat(answer(store.inspect("deleted")))
                .hasValueSatisfying(lease -> assertThat(lease.instanceId()).isEqualTo("node-a"));
        assertThat(answer(store.renew("deleted", holder, LONG_TTL)))
                .as("fail-closed: the holder steps down")
                .isFalse();
        assertThat(redis.command("PTTL", "{test:deleted}:term"))
                .as("a failed renewal leaves the term to run out")
                .satisfies(
                        pttl -> assertThat(Long.parseLong(pttl)).isBetween(5_000L, 10_000L + LEASE_MARGIN.toMillis()));
    }

    @Test
    void theHolderCanReleaseATermThatOutlivedItsLeaseKey() {
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store.acquire("released", holder, LONG_TTL));
        redis.command("DEL", "{test:released}:lease");

        assertThat(answer(store.release("released", holder))).isTrue();

        assertThat(redis.command("EXISTS", "{test:released}:term")).isEqualTo("0");
        granted(store.acquire("released", LeaseToken.random("node-b"), LONG_TTL));
    }

    @Test
    void anOperatorWhoOverwritesTheLeaseKeyIsTheHolderForEveryone() {
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store.acquire("overwritten", holder, LONG_TTL));

        redis.command("SET", "{test:overwritten}:lease", "0123abcd:operator", "PX", "5000");

        assertThat(answer(store.renew("overwritten", holder, LONG_TTL))).isFalse();
        assertThat(answer(store.acquire("overwritten", LeaseToken.random("node-b"), LONG_TTL)))
                .isInstanceOfSatisfying(
                        AcquireResult.Held.class,
                        held -> assertThat(held.holder().instanceId()).isEqualTo("operator"));
        assertThat(answer(store.release("overwritten", holder)))
                .as("the old holder frees only its own term")
                .isTrue();
        assertThat(redis.command("GET", "{test:overwritten}:lease")).isEqualTo("0123abcd:operator");
    }

    @Test
    void renewalWritesALostTermKeyAgain() {
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store.acquire("evicted", holder, LONG_TTL));
        redis.command("DEL", "{test:evicted}:term");

        assertThat(answer(store.renew("evicted", holder, Duration.ofSeconds(20))))
                .isTrue();

        assertThat(redis.command("GET", "{test:evicted}:term")).isEqualTo(holder.encoded());
        assertThat(Long.parseLong(redis.command("PTTL", "{test:evicted}:term")))
                .isBetween(15_000L, 20_000L + LEASE_MARGIN.toMillis());
    }

    @Test
    void renewalsDueTogetherGoToRedisInFewCalls() {
        List<String> elections = new ArrayList<>();
        List<LeaseToken> tokens = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            elections.add("batched-" + i);
            tokens.add(LeaseToken.random("node-a"));
            granted(store.acquire(elections.get(i), tokens.get(i), LONG_TTL));
        }
        long callsBefore = scriptCalls();

        List<CompletionStage<Boolean>> renewals = new ArrayList<>();
        for (int i = 0; i < elections.size(); i++) {
            renewals.add(store.renew(elections.get(i), tokens.get(i), LONG_TTL));
        }

        assertThat(renewals).allSatisfy(renewal -> assertThat(answer(renewal)).isTrue());
        assertThat(scriptCalls() - callsBefore)
                .as("50 renewals made within microseconds of each other share script calls")
                .isBetween(1L, 10L);
    }

    @Test
    void aRenewalThatRedisRefusesFailsAloneInItsBatch() {
        LeaseToken healthy = LeaseToken.random("node-a");
        LeaseToken corrupted = LeaseToken.random("node-a");
        granted(store.acquire("healthy", healthy, LONG_TTL));
        granted(store.acquire("corrupted", corrupted, LONG_TTL));
        redis.command("SET", "{test:corrupted}:candidates", "not a sorted set"); // ZADD: WRONGTYPE

        CompletionStage<Boolean> refused = store.renew("corrupted", corrupted, LONG_TTL);
        CompletionStage<Boolean> renewed = store.renew("healthy", healthy, LONG_TTL);

        assertThat(answer(renewed)).isTrue();
        assertThatExceptionOfType(ExecutionException.class)
                .isThrownBy(() -> refused.toCompletableFuture().get(15, TimeUnit.SECONDS))
                .withMessageContaining("{test:corrupted}:lease")
                .withMessageContaining("WRONGTYPE");
    }

    /** How many times Redis ran a script by its digest ({@code EVALSHA}) so far. */
    private static long scriptCalls() {
        String stats = redis.command("INFO", "commandstats");
        Matcher calls = Pattern.compile("cmdstat_evalsha:calls=(\\d+)").matcher(String.valueOf(stats));
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
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
    void anEpochThatIsNotAnIntegerFailsTheAcquireClearlyAndLeavesNoLease() {
        redis.command("SET", "{test:garbled}:epoch", "not-a-number");

        assertThatExceptionOfType(ExecutionException.class)
                .isThrownBy(() -> store.acquire("garbled", LeaseToken.random("node-a"), LONG_TTL)
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS))
                .havingRootCause()
                .withMessageContaining("the fencing counter {test:garbled}:epoch cannot count")
                .withMessageContaining("no lease was granted");
        assertThat(redis.command("EXISTS", "{test:garbled}:lease", "{test:garbled}:term"))
                .as("nobody is left holding the lease")
                .isEqualTo("0");
        assertThat(redis.command("GET", "{test:garbled}:epoch")).isEqualTo("not-a-number");
    }

    @Test
    void leaseDurationsReachRedisRoundedUpToWholeMilliseconds() {
        redis.command("CONFIG", "SET", "slowlog-log-slower-than", "0");
        try {
            redis.command("SLOWLOG", "RESET");
            LeaseToken token = LeaseToken.random("node-a");
            granted(store.acquire("rounded", token, Duration.ofNanos(1_500_300_000)));
            assertThat(answer(store.renew("rounded", token, Duration.ofNanos(1_500_000_001))))
                    .isTrue();

            // Every command Redis ran, one argument a line.
            assertThat(Arrays.asList(redis.command("SLOWLOG", "GET", "100").split("\n")))
                    .contains("1506") // 1,500.3 ms and 1,500.000001 ms, each with the 5 ms margin
                    .doesNotContain("1505");
        } finally {
            redis.command("CONFIG", "SET", "slowlog-log-slower-than", "10000");
        }
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

            String[] shas = Stream.of("acquire.lua", "renew.lua", "release.lua", "inspect.lua", "candidates.lua")
                    .map(name -> RedisScript.of(new ClassPathResource(name, RedisLeaseStore.class))
                            .getSha1())
                    .toArray(String[]::new);
            assertThat(redis.command(Stream.concat(Stream.of("SCRIPT", "EXISTS"), Stream.of(shas))
                            .toArray(String[]::new)))
                    .isEqualTo("1\n1\n1\n1\n1");
        }
    }

    @Test
    void startWithRedisDownGivesUpTheWarmUpAndSucceedsLater() {
        redis.server().kill();
        try (RedisLeaseStore started = unguarded(connectionFactory, "cold")) {
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
        try (RedisLeaseStore unconnected = unguarded(fresh, "frozen")) {
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

    @Test
    void checkElectionNameTakesKeySafeNamesOnly() {
        store.checkElectionName("orders.v2:eu-west_1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> store.checkElectionName("orders queue"))
                .withMessage("must be non-empty and use only letters, digits, '.', '_', ':' and '-'");
        assertThatIllegalArgumentException().isThrownBy(() -> store.checkElectionName(""));
    }

    /** Connection handling is not about the restart guard, which would hold back grants on a fresh server. */
    private static RedisLeaseStore unguarded(LettuceConnectionFactory connections, String keyPrefix) {
        return RedisLeaseStore.builder(connections)
                .keyPrefix(keyPrefix)
                .restartGuard(false)
                .build();
    }
}
