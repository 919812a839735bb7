package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.RelinquishSchedule;
import dev.leaderelection.RevocationReason;
import dev.leaderelection.ThreadPoolElectionScheduler;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.tck.ElectionHistory;
import dev.leaderelection.testing.redis.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Leadership over time on a real Redis, three electors with connections and threads of their own:
 * relinquish rotates leadership, followers learn of a hand-off from the grant announcement, and the
 * candidates are listed. The restart guard is off: each test's election is new to the server, and
 * the guard would hold back its first grant for a lease (30 s in one test).
 */
class RedisLeadershipOverTimeTests {

    static final Duration LEASE = Duration.ofSeconds(2);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final ElectionHistory history = new ElectionHistory();
    private final List<Instance> instances = new ArrayList<>();

    /** One elector with everything a separate process would have of its own. */
    final class Instance {
        final String id;
        final LettuceConnectionFactory connectionFactory;
        final RedisLeaseStore store;
        final ThreadPoolElectionScheduler scheduler;
        final LeaseLeaderElector elector;
        final List<String> leaderChanges = new CopyOnWriteArrayList<>();
        boolean crashed;

        Instance(String election, String id, ElectionTimings timings) {
            this.id = id;
            this.connectionFactory = LettuceFactories.connectedTo(redis.server());
            this.store = RedisLeaseStore.builder(connectionFactory)
                    .keyPrefix("over-time")
                    .restartGuard(false)
                    .build();
            this.scheduler = new ThreadPoolElectionScheduler(1, id + "-election-");
            this.elector = new RedisLeaderElector(election, id, store, timings, scheduler);
            this.elector.addListener(history.listenerFor(id));
            this.elector.addListener(new LeadershipListener() {
                @Override
                public void leaderChanged(@Nullable String leaderId, @Nullable Long fencingToken) {
                    leaderChanges.add(leaderId + " " + fencingToken);
                }
            });
        }

        /** Dies without a word: no revocation, no release. */
        void crash() {
            crashed = true;
            scheduler.close();
            history.crashed(id);
            store.close();
            connectionFactory.destroy();
        }

        void close() {
            if (!crashed) {
                elector.stop();
                store.close();
                scheduler.close();
                connectionFactory.destroy();
            }
        }
    }

    @AfterEach
    void stopInstances() {
        instances.forEach(Instance::close);
        history.assertOneLeaderAtATime();
    }

    @Test
    void relinquishEveryThreeSecondsRotatesLeadershipWithoutOverlapAndWithAFreshTokenEachTime(TestInfo test) {
        startThree(test, timings(LEASE).relinquish(RelinquishSchedule.every(Duration.ofSeconds(3))));

        await().atMost(Duration.ofSeconds(30)).until(() -> history.terms().size() >= 4);

        List<ElectionHistory.Term> terms = history.terms().subList(0, 4);
        for (int i = 1; i < terms.size(); i++) {
            ElectionHistory.Term previous = terms.get(i - 1);
            ElectionHistory.Term next = terms.get(i);
            assertThat(previous.reason()).isEqualTo(RevocationReason.RELINQUISHED);
            assertThat(Duration.ofNanos(previous.endedAt() - previous.grantedAt()))
                    .as("held for the interval")
                    .isBetween(Duration.ofMillis(2_900), Duration.ofSeconds(4));
            assertThat(next.instance()).as("another instance takes over").isNotEqualTo(previous.instance());
            assertThat(next.fencingToken()).isGreaterThan(previous.fencingToken());
        }
        Figures.print(
                "hand-off after a relinquish (lease 2 s)",
                pairs(terms)
                        .map(pair -> (pair.get(1).grantedAt() - pair.get(0).endedAt()) / 1_000_000)
                        .toList());
    }

    @Test
    void followersLearnOfAGracefulHandOffFromTheGrantAnnouncementLongBeforeTheirPoll(TestInfo test) {
        // A lease of 30 s: a follower's own poll would come up to 30 s after the hand-off.
        startThree(test, timings(Duration.ofSeconds(30)).renewInterval(Duration.ofSeconds(5)));
        Instance leader = awaitOneLeader(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> live().allMatch(i -> leader.id.equals(i.elector.leaderId())));

        long yieldedAt = System.nanoTime();
        leader.elector.yieldLeadership();
        Instance successor = awaitOneLeader(Duration.ofSeconds(5));
        long token = history.lastTerm().fencingToken();

        Instance bystander =
                live().filter(i -> i != leader && i != successor).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> bystander.leaderChanges.contains(successor.id + " " + token)
                        && leader.leaderChanges.contains(successor.id + " " + token));
        long learned = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - yieldedAt);
        assertThat(Duration.ofMillis(learned)).isLessThan(Duration.ofSeconds(5));
        assertThat(live()).allSatisfy(i -> assertThat(i.elector.leaderId()).isEqualTo(successor.id));
        assertThat(successor.leaderChanges).last().isEqualTo(successor.id + " " + token);
        Figures.print("followers know the new leader after a yield (lease 30 s), at most", List.of(learned));
    }

    @Test
    void theCandidateListIsCompleteAndDropsAKilledInstanceWithinTwoLeases(TestInfo test) throws Exception {
        startThree(test, timings(LEASE));
        Instance leader = awaitOneLeader(Duration.ofSeconds(10));
        await().atMost(LEASE.multipliedBy(2))
                .until(() -> candidates(leader).keySet().containsAll(List.of("node-a", "node-b", "node-c")));
        assertThat(candidates(leader).values())
                .allSatisfy(lastSeen -> assertThat(lastSeen)
                        .isBetween(
                                Instant.now().minus(LEASE.plusSeconds(1)),
                                Instant.now().plusSeconds(1)));

        Instance killed = live().filter(i -> i != leader).findFirst().orElseThrow();
        long killedAt = System.nanoTime();
        killed.crash();

        await().atMost(LEASE.multipliedBy(2).plusSeconds(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !candidates(leader).containsKey(killed.id));
        long dropped = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        assertThat(candidates(leader)).containsOnlyKeys(live().map(i -> i.id).toArray(String[]::new));
        Figures.print("a killed candidate drops out of the list (lease 2 s) after", List.of(dropped));
    }

    private static ElectionTimings.Builder timings(Duration lease) {
        return ElectionTimings.builder()
                .leaseDuration(lease)
                .renewInterval(Duration.ofMillis(600))
                .operationTimeout(Duration.ofMillis(300))
                .retryInterval(Duration.ofSeconds(1));
    }

    private void startThree(TestInfo test, ElectionTimings.Builder timings) {
        String election = test.getTestMethod().orElseThrow().getName();
        for (String id : List.of("node-a", "node-b", "node-c")) {
            Instance instance = new Instance(election, id, timings.build());
            instances.add(instance);
            instance.elector.start();
        }
    }

    private Instance awaitOneLeader(Duration atMost) {
        await().atMost(atMost)
                .until(() -> live().filter(i -> i.elector.isLeader()).count() == 1);
        return live().filter(i -> i.elector.isLeader()).findFirst().orElseThrow();
    }

    private Stream<Instance> live() {
        return instances.stream().filter(instance -> !instance.crashed);
    }

    private static Map<String, Instant> candidates(Instance asker) throws Exception {
        return asker.elector.candidates().toCompletableFuture().get(5, TimeUnit.SECONDS).stream()
                .collect(Collectors.toMap(Candidate::instanceId, Candidate::lastSeen));
    }

    private static Stream<List<ElectionHistory.Term>> pairs(List<ElectionHistory.Term> terms) {
        return java.util.stream.IntStream.range(1, terms.size()).mapToObj(i -> terms.subList(i - 1, i + 1));
    }
}
