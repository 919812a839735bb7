package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.tck.ElectionHistory;
import dev.leaderelection.testing.redis.RedisServerExtension;
import dev.leaderelection.testing.redis.RedisServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Elections as a Redis user with exactly {@link RedisAcl#rule}, and startup without a permission. */
class RedisAclTests {

    static final Duration LEASE = Duration.ofSeconds(2);
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(LEASE)
            .renewInterval(Duration.ofMillis(600))
            .operationTimeout(Duration.ofMillis(400))
            .retryInterval(Duration.ofSeconds(1))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 0.5))
            .build();

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension(RedisServers.Backend.PROCESS);

    private final ElectionHistory history = new ElectionHistory();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<LeaseLeaderElector> electors = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        redis.command("ACL", "DELUSER", "election");
        history.assertOneLeaderAtATime();
    }

    @Test
    void electionsWorkForAUserWithExactlyTheLeastPrivilegeRule() {
        createUser(RedisAcl.rule("acl"));
        LeaseLeaderElector first = elector("node-a");
        LeaseLeaderElector second = elector("node-b");
        first.start();
        // The restart guard holds the election's first grant back for one lease: INFO is allowed.
        await().atMost(LEASE.multipliedBy(4)).until(first::isLeader);
        second.start();
        await().atMost(LEASE.multipliedBy(2)).until(() -> "node-a".equals(second.leaderId()));
        await().during(TIMINGS.renewInterval().multipliedBy(3))
                .atMost(LEASE.multipliedBy(2))
                .until(first::isLeader);

        long stoppedAt = System.nanoTime();
        first.stop();
        await().atMost(LEASE).until(second::isLeader);
        // The release reached the follower over pub/sub: far sooner than the retry interval.
        assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThan(TIMINGS.retryInterval());
    }

    @ParameterizedTest
    @ValueSource(strings = {"incr", "info", "hset", "publish", "eval", "evalsha", "script|load", "zadd"})
    void startFailsNamingACommandTheUserLacks(String command) {
        // The rule without that one command (Redis 6 cannot take a subcommand away with -script|load).
        createUser(RedisAcl.rule("acl").replace(" +" + command + " ", " "));
        RedisLeaseStore store = store();

        assertThatIllegalStateException()
                .isThrownBy(store::start)
                .withMessageContaining("'" + command + "'")
                .withMessageContaining("ACL SETUSER <user> " + RedisAcl.rule("acl"));
    }

    @Test
    void startFailsWhenTheUsersKeysDoNotCoverTheKeyPrefix() {
        createUser(RedisAcl.rule("acl").replace("~{acl:*", "~{other:*"));
        RedisLeaseStore store = store();

        assertThatIllegalStateException()
                .isThrownBy(store::start)
                .withMessageContaining("'evalsha'")
                .withMessageContaining("no permissions to access one of the keys");
    }

    @Test
    void withoutTheRestartGuardInfoIsNotNeeded() {
        createUser(RedisAcl.rule("acl").replace(" +info ", " "));
        LettuceConnectionFactory connections = LettuceFactories.connectedAs(redis.server(), "election", "secret");
        resources.add(connections::destroy);
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("acl")
                .restartGuard(false)
                .build();
        resources.add(store);

        store.start();
    }

    @Test
    void withReplicaAcknowledgementStartFailsWithoutWaitAndPassesWithIt() {
        createUser(RedisAcl.rule("acl"));
        RedisLeaseStore withoutWait = acknowledgingStore();
        assertThatIllegalStateException()
                .isThrownBy(withoutWait::start)
                .withMessageContaining("'wait'")
                .withMessageContaining("ACL SETUSER <user> " + RedisAcl.rule("acl", true));

        createUser(RedisAcl.rule("acl", true));
        acknowledgingStore().start();
    }

    @Test
    void theRuleWithReplicaAcknowledgementAddsWaitOnly() {
        assertThat(RedisAcl.rule("acl", true)).isEqualTo(RedisAcl.rule("acl") + " +wait");
        assertThat(RedisAcl.rule("acl", false)).isEqualTo(RedisAcl.rule("acl"));
    }

    @Test
    void theReadmePrintsTheRuleForTheDefaultKeyPrefix() throws IOException {
        assertThat(Files.readString(Path.of("..", "README.md")))
                .contains(RedisAcl.rule(RedisLeaseStore.DEFAULT_KEY_PREFIX));
    }

    private void createUser(String rule) {
        Stream<String> arguments = Stream.concat(
                Stream.of("ACL", "SETUSER", "election", "reset", "on", ">secret"), Stream.of(rule.split(" ")));
        redis.command(arguments.toArray(String[]::new));
    }

    private RedisLeaseStore acknowledgingStore() {
        LettuceConnectionFactory connections = LettuceFactories.connectedAs(redis.server(), "election", "secret");
        resources.add(connections::destroy);
        try (ReactiveRedisConnection connection = connections.getReactiveConnection()) {
            connection.ping().block(Duration.ofSeconds(30));
        }
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("acl")
                .minReplicasAcked(1, Duration.ofMillis(200))
                .build();
        resources.add(store);
        return store;
    }

    private RedisLeaseStore store() {
        LettuceConnectionFactory connections = LettuceFactories.connectedAs(redis.server(), "election", "secret");
        resources.add(connections::destroy);
        // Connected before start(): its warm-up, which a cold first connection on a busy machine can
        // outlast, is then sure to get Redis's answer, and the check runs in start().
        try (ReactiveRedisConnection connection = connections.getReactiveConnection()) {
            connection.ping().block(Duration.ofSeconds(30));
        }
        RedisLeaseStore store = new RedisLeaseStore(connections, "acl");
        resources.add(store);
        return store;
    }

    private LeaseLeaderElector elector(String id) {
        RedisLeaseStore store = store();
        store.start();
        ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, id + "-election-");
        resources.add(scheduler::close);
        LeaseLeaderElector elector = new RedisLeaderElector("orders", id, store, TIMINGS, scheduler);
        elector.addListener(history.listenerFor(id));
        resources.add(elector::stop);
        electors.add(elector);
        return elector;
    }
}
