package dev.leaderelection.autoconfigure;

import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.DeprecatedConfigurationProperty;

/** Configuration of leader election, under {@code leader.election}. */
@ConfigurationProperties("leader.election")
public class LeaderElectionProperties {

    /** Whether to take part in leader election. */
    private boolean enabled = true;

    /**
     * Store to elect through: redis, jdbc, etcd, zookeeper, kubernetes or file. Needed only when
     * several store modules are on the classpath; otherwise the one present is used.
     */
    private @Nullable String store;

    /**
     * Name of the election; instances with the same name compete. Defaults to
     * 'spring.application.name', or 'default' if that is not set either.
     */
    private @Nullable String name;

    /** Identity of this instance, shown to humans. Defaults to host name, process id and a random suffix. */
    private @Nullable String instanceId;

    /** Prefix of the store keys. Replaced by 'leader.election.redis.key-prefix', which wins when both are set. */
    private @Nullable String keyPrefix;

    /** Time-to-live of the lease in the store. */
    private Duration leaseDuration = Duration.ofSeconds(10);

    /** How often the leader renews its lease; must leave room for one store call within the lease. */
    private Duration renewInterval = Duration.ofSeconds(3);

    /** Longest time one store call may take before it counts as failed. */
    private Duration operationTimeout = Duration.ofSeconds(1);

    /**
     * Safety margin taken off the local deadline for clock-rate differences and scheduling delay, at
     * least 1ms. Defaults to 1% of the lease duration plus 5ms.
     */
    private @Nullable Duration driftMargin;

    /**
     * How long a follower waits before it checks again when the lease has no expiry to wait for.
     * Otherwise a follower waits until the lease expires (at most one lease duration) or is released.
     */
    private Duration retryInterval = Duration.ofSeconds(1);

    /** How long an instance that yielded leadership stays out of the race. Defaults to the lease duration. */
    private @Nullable Duration yieldCooldown;

    /** Whether to release the lease on graceful shutdown, so that another instance takes over at once. */
    private boolean releaseOnShutdown = true;

    private final Backoff backoff = new Backoff();

    private final Relinquish relinquish = new Relinquish();

    /**
     * Further elections this instance takes part in, by name, besides the default one. Each may
     * override the timings above; what it leaves unset it takes from them.
     */
    private final Map<String, Election> elections = new LinkedHashMap<>();

    private final Redis redis = new Redis();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable String getStore() {
        return store;
    }

    public void setStore(@Nullable String store) {
        this.store = store;
    }

    public @Nullable String getName() {
        return name;
    }

    public void setName(@Nullable String name) {
        this.name = name;
    }

    public @Nullable String getInstanceId() {
        return instanceId;
    }

    public void setInstanceId(@Nullable String instanceId) {
        this.instanceId = instanceId;
    }

    /** The deprecated alias of {@code leader.election.redis.key-prefix}, if set. */
    @Deprecated(since = "0.1.0")
    @DeprecatedConfigurationProperty(
            replacement = "leader.election.redis.key-prefix",
            reason = "A store's settings live under leader.election.<store>",
            since = "0.1.0")
    public @Nullable String getKeyPrefix() {
        return keyPrefix;
    }

    @Deprecated(since = "0.1.0")
    public void setKeyPrefix(@Nullable String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public Duration getLeaseDuration() {
        return leaseDuration;
    }

    public void setLeaseDuration(Duration leaseDuration) {
        this.leaseDuration = leaseDuration;
    }

    public Duration getRenewInterval() {
        return renewInterval;
    }

    public void setRenewInterval(Duration renewInterval) {
        this.renewInterval = renewInterval;
    }

    public Duration getOperationTimeout() {
        return operationTimeout;
    }

    public void setOperationTimeout(Duration operationTimeout) {
        this.operationTimeout = operationTimeout;
    }

    public @Nullable Duration getDriftMargin() {
        return driftMargin;
    }

    public void setDriftMargin(@Nullable Duration driftMargin) {
        this.driftMargin = driftMargin;
    }

    public Duration getRetryInterval() {
        return retryInterval;
    }

    public void setRetryInterval(Duration retryInterval) {
        this.retryInterval = retryInterval;
    }

    public @Nullable Duration getYieldCooldown() {
        return yieldCooldown;
    }

    public void setYieldCooldown(@Nullable Duration yieldCooldown) {
        this.yieldCooldown = yieldCooldown;
    }

    public boolean isReleaseOnShutdown() {
        return releaseOnShutdown;
    }

    public void setReleaseOnShutdown(boolean releaseOnShutdown) {
        this.releaseOnShutdown = releaseOnShutdown;
    }

    public Backoff getBackoff() {
        return backoff;
    }

    public Relinquish getRelinquish() {
        return relinquish;
    }

    public Map<String, Election> getElections() {
        return elections;
    }

    public Redis getRedis() {
        return redis;
    }

    /** Waits after store errors: exponential, capped, with jitter. */
    public static class Backoff {

        /** Wait after the first failure. */
        private Duration initial = Duration.ofMillis(100);

        /** Longest wait. */
        private Duration max = Duration.ofSeconds(5);

        /** Growth factor of the wait per further failure, at least 1. */
        private double multiplier = 2.0;

        /** Fraction of each wait that is random, from 0 (none) to 1 (all). */
        private double jitter = 0.5;

        public Duration getInitial() {
            return initial;
        }

        public void setInitial(Duration initial) {
            this.initial = initial;
        }

        public Duration getMax() {
            return max;
        }

        public void setMax(Duration max) {
            this.max = max;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public double getJitter() {
            return jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }
    }

    /** Settings of the Redis lease store. */
    public static class Redis {

        /**
         * Prefix of the Redis keys: letters, digits, '.', '_', ':' and '-'. Defaults to
         * 'leader.election.key-prefix' if that deprecated property is set.
         */
        private @Nullable String keyPrefix;

        /**
         * Whether to hold back grants for one lease duration after Redis restarts or fails over (a
         * replica is promoted), which may lose the last grant or renewal, so that a leader from
         * before has stepped down.
         */
        private boolean restartGuard = true;

        /**
         * How many replicas must acknowledge each grant and renewal (Redis 'WAIT') before it counts; 0
         * confirms nothing. A grant or renewal that fewer replicas acknowledge within half the
         * smallest operation timeout fails, so that a replica that Sentinel promotes has every
         * grant and renewal that counted; with fewer replicas connected nobody leads.
         */
        private int minReplicasAcked;

        public @Nullable String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(@Nullable String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        public boolean isRestartGuard() {
            return restartGuard;
        }

        public void setRestartGuard(boolean restartGuard) {
            this.restartGuard = restartGuard;
        }

        public int getMinReplicasAcked() {
            return minReplicasAcked;
        }

        public void setMinReplicasAcked(int minReplicasAcked) {
            this.minReplicasAcked = minReplicasAcked;
        }
    }

    /**
     * A further election, under {@code leader.election.elections.<name>}: every value left unset
     * is taken from the same property under {@code leader.election}.
     */
    public static class Election {

        /** Time-to-live of the lease in the store. */
        private @Nullable Duration leaseDuration;

        /** How often the leader renews its lease; must leave room for one store call within the lease. */
        private @Nullable Duration renewInterval;

        /** Longest time one store call may take before it counts as failed. */
        private @Nullable Duration operationTimeout;

        /** Safety margin taken off the local deadline for clock-rate differences and scheduling delay. */
        private @Nullable Duration driftMargin;

        /** How long a follower waits before it checks again when the lease has no expiry to wait for. */
        private @Nullable Duration retryInterval;

        /** How long an instance that yielded leadership stays out of the race. */
        private @Nullable Duration yieldCooldown;

        /** Whether to release the lease on graceful shutdown, so that another instance takes over at once. */
        private @Nullable Boolean releaseOnShutdown;

        private final ElectionBackoff backoff = new ElectionBackoff();

        /** This election's relinquish schedule; when it sets neither interval nor cron, the top-level one. */
        private final Relinquish relinquish = new Relinquish();

        public Relinquish getRelinquish() {
            return relinquish;
        }

        public @Nullable Duration getLeaseDuration() {
            return leaseDuration;
        }

        public void setLeaseDuration(@Nullable Duration leaseDuration) {
            this.leaseDuration = leaseDuration;
        }

        public @Nullable Duration getRenewInterval() {
            return renewInterval;
        }

        public void setRenewInterval(@Nullable Duration renewInterval) {
            this.renewInterval = renewInterval;
        }

        public @Nullable Duration getOperationTimeout() {
            return operationTimeout;
        }

        public void setOperationTimeout(@Nullable Duration operationTimeout) {
            this.operationTimeout = operationTimeout;
        }

        public @Nullable Duration getDriftMargin() {
            return driftMargin;
        }

        public void setDriftMargin(@Nullable Duration driftMargin) {
            this.driftMargin = driftMargin;
        }

        public @Nullable Duration getRetryInterval() {
            return retryInterval;
        }

        public void setRetryInterval(@Nullable Duration retryInterval) {
            this.retryInterval = retryInterval;
        }

        public @Nullable Duration getYieldCooldown() {
            return yieldCooldown;
        }

        public void setYieldCooldown(@Nullable Duration yieldCooldown) {
            this.yieldCooldown = yieldCooldown;
        }

        public @Nullable Boolean getReleaseOnShutdown() {
            return releaseOnShutdown;
        }

        public void setReleaseOnShutdown(@Nullable Boolean releaseOnShutdown) {
            this.releaseOnShutdown = releaseOnShutdown;
        }

        public ElectionBackoff getBackoff() {
            return backoff;
        }
    }

    /** Waits after store errors of one further election; unset values are taken from {@code leader.election.backoff}. */
    public static class ElectionBackoff {

        /** Wait after the first failure. */
        private @Nullable Duration initial;

        /** Longest wait. */
        private @Nullable Duration max;

        /** Growth factor of the wait per further failure, at least 1. */
        private @Nullable Double multiplier;

        /** Fraction of each wait that is random, from 0 (none) to 1 (all). */
        private @Nullable Double jitter;

        public @Nullable Duration getInitial() {
            return initial;
        }

        public void setInitial(@Nullable Duration initial) {
            this.initial = initial;
        }

        public @Nullable Duration getMax() {
            return max;
        }

        public void setMax(@Nullable Duration max) {
            this.max = max;
        }

        public @Nullable Double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(@Nullable Double multiplier) {
            this.multiplier = multiplier;
        }

        public @Nullable Double getJitter() {
            return jitter;
        }

        public void setJitter(@Nullable Double jitter) {
            this.jitter = jitter;
        }
    }

    /**
     * When a leader gives up leadership of its own accord, so that leadership rotates: it releases
     * the lease once its guarded calls returned and sits out the yield cooldown; if no other
     * instance campaigns, it takes leadership back after the cooldown.
     */
    public static class Relinquish {

        /** How long a leader holds leadership before it relinquishes it; at least 3 renew intervals. */
        private @Nullable Duration interval;

        /**
         * Cron expression (Spring's six fields, such as '0 0 * * * *') of the times at which the
         * leader relinquishes; wins over the interval when both are set.
         */
        private @Nullable String cron;

        /** Time zone of the cron expression. Defaults to the system time zone. */
        private @Nullable ZoneId zone;

        public @Nullable Duration getInterval() {
            return interval;
        }

        public void setInterval(@Nullable Duration interval) {
            this.interval = interval;
        }

        public @Nullable String getCron() {
            return cron;
        }

        public void setCron(@Nullable String cron) {
            this.cron = cron;
        }

        public @Nullable ZoneId getZone() {
            return zone;
        }

        public void setZone(@Nullable ZoneId zone) {
            this.zone = zone;
        }
    }
}
