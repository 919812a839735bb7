package dev.leaderelection.faults;

import dev.leaderelection.testing.redis.ProcessRedisServer;
import dev.leaderelection.testing.redis.SentinelStoreServer;
import dev.leaderelection.testing.redis.SentinelTopology;
import dev.leaderelection.testing.store.StoreServer;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Failovers behind Sentinel with whole applications: the three sample-app instances reach Redis
 * through {@code spring.data.redis.sentinel.*} (a primary, two replicas, three sentinels with
 * {@code down-after-milliseconds} {@value #DOWN_AFTER_MILLIS}), and the primary is killed, or frozen
 * until Sentinel has promoted a replica and then resumed, when it comes back as a replica. The same
 * history checker as every other row: no two holders at once, the leader closes its session before
 * its lease ends, and one leads again. The default build runs these two rows once ({@code
 * faults.redis-sentinel.rows}); {@code -Pchaos} runs them 20 times; the common rows whose fault hits
 * one server or a proxy say n/a here.
 */
class SentinelFaultToleranceIT extends StoreFaultScenarios {

    static final long DOWN_AFTER_MILLIS = 1000;
    /** A bound for a failure, not a timing claim: a busy machine delays sentinels too. */
    private static final Duration FAILOVER = Duration.ofSeconds(30);

    SentinelFaultToleranceIT() {
        super("redis-sentinel");
    }

    @Override
    protected StoreServer startStore() {
        SentinelStoreServer sentinel = new SentinelStoreServer(Duration.ofMillis(DOWN_AFTER_MILLIS));
        try {
            sentinel.start();
        } catch (RuntimeException ex) {
            sentinel.close();
            throw ex;
        }
        return sentinel;
    }

    @Test
    @Order(101)
    void primaryKilledSentinelPromotesAReplica() {
        failover("10a. Sentinel: primary SIGKILLed, a replica promoted, the old one back empty as a replica", false);
    }

    @Test
    @Order(102)
    void primaryFrozenThroughAFailoverComesBackAsAReplica() {
        failover(
                "10b. Sentinel: primary frozen (SIGSTOP) until a replica is promoted, then resumed as a replica", true);
    }

    /**
     * Each round: the leader's session and the primary that Sentinel names; the primary killed or
     * frozen; the leader must close its session before its lease ends (it cannot renew: the dead
     * primary refuses, the frozen one does not answer); Sentinel promotes a replica, the old primary
     * rejoins as a replica (restarted empty, or resumed and demoted by Sentinel, which closes its
     * clients' connections), and one instance leads again.
     */
    private void failover(String name, boolean freeze) {
        Scenario scenario = new Scenario(name);
        for (int round = 0; round < ROUNDS; round++) {
            String leader = lab.awaitOneLeader(STEP);
            int connection = lab.openSessionOf(leader).connection();
            ProcessRedisServer old = topology().primary();
            if (freeze) {
                old.pause();
            } else {
                old.kill();
            }
            try {
                awaitStepDown(leader, connection, scenario);
                topology().awaitPromotionFrom(old, FAILOVER);
            } finally {
                topology().rejoinAsReplica(old, FAILOVER);
            }
            lab.awaitOneLeader(STEP);
        }
        scenario.finish();
    }

    private SentinelTopology topology() {
        return ((SentinelStoreServer) store()).topology();
    }
}
