package dev.leaderelection.redis;

import static dev.leaderelection.redis.StoreCalls.answer;
import static dev.leaderelection.redis.StoreCalls.granted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.BackoffPolicy;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.store.WakeUps;
import dev.leaderelection.tck.ElectionHistory;
import dev.leaderelection.testing.redis.ClusterTopology;
import dev.leaderelection.testing.redis.ProcessRedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A Redis Cluster of three primaries with a replica each ({@link ClusterTopology}); every instance
 * connects through a connection factory of its own in cluster mode, as {@code
 * spring.data.redis.cluster.nodes} does. Many elections over the slots of every primary; the release
 * wake-up on shard channels; a primary killed or handed over ({@code CLUSTER FAILOVER}) and a slot
 * migrated ({@code MIGRATE}, {@code ASK}, {@code TRYAGAIN}) while the leader renews: never two
 * leaders, every leader that loses its term steps down before its deadline, one leads again after.
 * One round of each fault by default, {@value RedisSentinelFailoverTests#CHAOS_ROUNDS} with {@code
 * -Pchaos} (system property {@code cluster.rounds}).
 */
class RedisClusterTests {

    static final int ROUNDS = Integer.getInteger("cluster.rounds", 1);

    static final Duration NODE_TIMEOUT = Duration.ofMillis(1500);
    /** A bound for a failure, not a timing claim: a busy machine delays the cluster's failover too. */
    static final Duration FAILOVER = Duration.ofSeconds(30);

    static final Duration LEASE = Duration.ofSeconds(1);
    static final ElectionTimings TIMINGS = ElectionTimings.builder()
            .leaseDuration(LEASE)
            .renewInterval(Duration.ofMillis(300))
            .operationTimeout(Duration.ofMillis(200))
            .retryInterval(Duration.ofMillis(500))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(250), 2.0, 0.5))
            .build();

    /** 150 electors in one JVM on a busy machine: calls get more time than in the fault tests. */
    static final ElectionTimings MANY_TIMINGS = ElectionTimings.builder()
            .leaseDuration(Duration.ofSeconds(2))
            .renewInterval(Duration.ofMillis(600))
            .operationTimeout(Duration.ofMillis(500))
            .retryInterval(Duration.ofSeconds(1))
            .backoff(new BackoffPolicy(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 0.5))
            .build();

    static ClusterTopology cluster;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, ElectionHistory> histories = new LinkedHashMap<>();
    private final List<LeaseLeaderElector> electors = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = ClusterTopology.start(NODE_TIMEOUT);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        histories.values().forEach(ElectionHistory::assertOneLeaderAtATime);
    }

    @Test
    void fiftyElectionsOverTheSlotsOfEveryPrimaryEachGetExactlyOneLeader() {
        List<String> elections =
                IntStream.range(0, 50).mapToObj(i -> "election-" + i).toList();
        assertThat(elections.stream()
                        .map(election -> cluster.primaryOf(leaseKey(election)))
                        .collect(Collectors.toSet()))
                .as("the elections' slots belong to every primary")
                .hasSize(3);
        long started = System.nanoTime();
        for (String instance : List.of("node-a", "node-b", "node-c")) {
            RedisLeaseStore store = store(true);
            ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(2, instance + "-election-");
            resources.add(scheduler::close);
            elections.forEach(election ->
                    elector(election, instance, store, scheduler, MANY_TIMINGS).start());
        }

        // A bound for a failure: 150 electors on a busy machine, each election's first grant held
        // back one lease by the restart guard.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> elections.stream()
                        .allMatch(election -> leaders(election).size() == 1));
        Figures.print(
                "Cluster: from starting 3 x 50 electors to one leader in each of the 50 elections (lease 2 s, restart guard)",
                List.of((System.nanoTime() - started) / 1_000_000));

        for (String election : elections) {
            LeaseLeaderElector leader = leaders(election).get(0);
            String key = leaseKey(election);
            assertThat(cluster.primaryOf(key).command("GET", key))
                    .as("the lease of %s lives on the primary of its slot and names its leader", election)
                    .endsWith(":" + leader.instanceId());
        }
    }

    @Test
    void aReleaseWakesTheFollowersOverAShardChannelOnEveryPrimary() throws Exception {
        RedisLeaseStore a = store(false);
        RedisLeaseStore b = store(false);
        Map<ProcessRedisServer, String> onePerPrimary = new LinkedHashMap<>();
        for (int i = 0; onePerPrimary.size() < 3; i++) {
            onePerPrimary.putIfAbsent(cluster.primaryOf(leaseKey("wake-" + i)), "wake-" + i);
        }
        Duration lease = Duration.ofSeconds(30); // only a wake-up can explain a quick answer
        for (Map.Entry<ProcessRedisServer, String> entry : onePerPrimary.entrySet()) {
            String election = entry.getValue();
            BlockingQueue<String> heard = new LinkedBlockingQueue<>();
            LeaseStore.Subscription subscription = b.subscribe(election, new LeaseChangeListener() {
                @Override
                public void released() {
                    heard.add("released");
                }

                @Override
                public void granted(String instanceId, long fencingToken) {
                    heard.add("granted:" + instanceId + ":" + fencingToken);
                }
            });
            resources.add(subscription::close);
            await().atMost(FAILOVER).until(() -> subscription.state() == WakeUps.SUBSCRIBED);
            String channel = "{cluster:" + election + "}:released";
            assertThat(entry.getKey().command("PUBSUB", "SHARDCHANNELS", channel))
                    .as("subscribed as a shard channel on the primary of the election's slot")
                    .isEqualTo(channel);

            LeaseToken token = LeaseToken.random("node-a");
            long fencingToken = granted(a.acquire(election, token, lease));
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("granted:node-a:" + fencingToken);
            assertThat(answer(a.release(election, token))).isTrue();
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("released");
        }
        for (ProcessRedisServer node : cluster.nodes()) {
            assertThat(node.command("PUBSUB", "CHANNELS", "{cluster:*"))
                    .as("no classic subscription, so nothing is broadcast over the cluster bus")
                    .isEmpty();
        }
    }

    @Test
    void neverTwoLeadersWhenThePrimaryOfTheElectionDiesAndItsReplicaTakesOver() {
        runRounds("orders-kill", "kill", old -> {
            old.kill();
            cluster.awaitPromotionFrom(old, FAILOVER);
            cluster.rejoin(old, FAILOVER);
        });
    }

    @Test
    void neverTwoLeadersWhenTheReplicaOfTheElectionsPrimaryTakesOverByClusterFailover() {
        runRounds("orders-failover", "CLUSTER FAILOVER", old -> cluster.failover(old, FAILOVER));
    }

    @Test
    void neverTwoLeadersWhileTheSlotOfTheElectionMigratesToAnotherPrimary() {
        runRounds("orders-migration", "slot migration", source -> {
            ProcessRedisServer target = cluster.primaries().stream()
                    .filter(primary -> primary != source)
                    .findFirst()
                    .orElseThrow();
            ClusterTopology.Migration migration =
                    cluster.beginMigration(cluster.slot(leaseKey("orders-migration")), target);
            // One key at a time, the leader renewing in between: a script whose keys are split between
            // the two primaries is refused (TRYAGAIN), never run on part of the election's state.
            for (String key : List.of("lease", "term", "epoch", "server", "candidates")) {
                migration.moveKey("{cluster:orders-migration}:" + key);
                await().during(TIMINGS.renewInterval())
                        .atMost(LEASE.multipliedBy(3))
                        .until(() -> leaders("orders-migration").size() <= 1);
            }
            migration.finish(FAILOVER);
            assertThat(target.command("EXISTS", "{cluster:orders-migration}:epoch"))
                    .isEqualTo("1");
        });
    }

    @Test
    void aScriptWhoseKeysAreSplitByAMigrationFailsInsteadOfAnsweringFromPartOfTheState() {
        RedisLeaseStore store = store(false);
        String election = "split";
        LeaseToken holder = LeaseToken.random("node-a");
        granted(store.acquire(election, holder, Duration.ofSeconds(30)));
        ProcessRedisServer source = cluster.primaryOf(leaseKey(election));
        ProcessRedisServer target = cluster.primaries().stream()
                .filter(primary -> primary != source)
                .findFirst()
                .orElseThrow();
        ClusterTopology.Migration migration = cluster.beginMigration(cluster.slot(leaseKey(election)), target);
        try {
            migration.moveKey(leaseKey(election));

            CompletableFuture<Boolean> renewal =
                    store.renew(election, holder, Duration.ofSeconds(30)).toCompletableFuture();
            assertThat(renewal)
                    .as("not proven: the lease key is on the target, the term on the source")
                    .failsWithin(Duration.ofSeconds(15))
                    .withThrowableThat()
                    .havingRootCause()
                    .withMessageContaining("TRYAGAIN");
            assertThat(store.acquire(election, LeaseToken.random("node-b"), Duration.ofSeconds(30))
                            .toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(15))
                    .withThrowableThat()
                    .havingRootCause()
                    .withMessageContaining("TRYAGAIN");
        } finally {
            migration.finish(FAILOVER);
        }
        assertThat(answer(store.renew(election, holder, Duration.ofSeconds(30))))
                .as("the whole election on the target again")
                .isTrue();
        assertThat(answer(store.release(election, holder))).isTrue();
    }

    /** Three electors of {@code election}; each round disturbs the primary of its slot while they run. */
    private void runRounds(String election, String fault, Consumer<ProcessRedisServer> disturbance) {
        for (String id : List.of("node-a", "node-b", "node-c")) {
            RedisLeaseStore store = store(true);
            ThreadPoolElectionScheduler scheduler = new ThreadPoolElectionScheduler(1, id + "-election-");
            resources.add(scheduler::close);
            elector(election, id, store, scheduler, TIMINGS).start();
        }
        ElectionHistory history = histories.get(election);
        List<Long> leaderlessMillis = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            awaitOneLeader(election);
            int termsBefore = history.terms().size();
            ProcessRedisServer primary = cluster.primaryOf(leaseKey(election));
            long faultAt = System.nanoTime();

            disturbance.accept(primary);
            awaitOneLeader(election);

            history.assertOneLeaderAtATime();
            assertThat(history.terms()
                            .subList(
                                    Math.max(0, termsBefore - 1),
                                    history.terms().size()))
                    .as("round %d: every term that ended ended before its deadline", round)
                    .filteredOn(term -> term.endedAt() != null)
                    .allSatisfy(term -> assertThat(term.endedAt()).isLessThan(term.deadline()));
            leaderlessMillis.add((Math.max(faultAt, history.lastTerm().grantedAt()) - faultAt) / 1_000_000);
        }
        Figures.print(
                "Cluster " + fault
                        + ": from the fault to one leader again (0 = kept leading; lease 1 s, node timeout 1.5 s)",
                leaderlessMillis);
    }

    private void awaitOneLeader(String election) {
        ElectionHistory history = histories.get(election);
        await().atMost(FAILOVER.plus(LEASE.multipliedBy(5))).until(() -> {
            List<LeaseLeaderElector> leaders = leaders(election);
            ElectionHistory.Term last = history.terms().isEmpty() ? null : history.lastTerm();
            return leaders.size() == 1
                    && last != null
                    && last.endedAt() == null
                    && last.instance().equals(leaders.get(0).instanceId());
        });
    }

    private List<LeaseLeaderElector> leaders(String election) {
        return electors.stream()
                .filter(elector -> elector.election().equals(election) && elector.isLeader())
                .toList();
    }

    private LeaseLeaderElector elector(
            String election,
            String instance,
            RedisLeaseStore store,
            ThreadPoolElectionScheduler scheduler,
            ElectionTimings timings) {
        LeaseLeaderElector elector = new RedisLeaderElector(election, instance, store, timings, scheduler);
        elector.addListener(histories
                .computeIfAbsent(election, name -> new ElectionHistory())
                .listenerFor(instance));
        resources.add(elector::stop);
        electors.add(elector);
        return elector;
    }

    private RedisLeaseStore store(boolean restartGuard) {
        LettuceConnectionFactory connections = LettuceFactories.connectedTo(cluster);
        resources.add(connections::destroy);
        RedisLeaseStore store = RedisLeaseStore.builder(connections)
                .keyPrefix("cluster")
                .restartGuard(restartGuard)
                .build();
        resources.add(store);
        store.start();
        return store;
    }

    private static String leaseKey(String election) {
        return RedisKeys.of("cluster", election).lease();
    }
}
