package dev.leaderelection.redis;

import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore.Subscription;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * How the instances of one store hear the releases and grants announced on the elections'
 * channels: classic pub/sub ({@link ReleaseSubscriptions}), or sharded pub/sub on Redis Cluster
 * ({@link ShardedReleaseSubscriptions}).
 */
interface ReleaseLink extends AutoCloseable {

    /** Hands the announcements on {@code channel} to {@code listener} until the subscription is closed. */
    Subscription subscribe(String channel, LeaseChangeListener listener);

    /** Listens again after {@link #stop()}. */
    void start();

    /** Stops listening at once. */
    void stop();

    @Override
    void close();

    /**
     * Whether the scripts announce on shard channels ({@code SPUBLISH}): on Redis Cluster, where a
     * classic {@code PUBLISH} goes to every node over the cluster bus.
     */
    boolean sharded();

    /**
     * How many times the link was seen lost (or stopped) so far. What a listener heard before the
     * count last grew may be stale: announcements sent while the link was down are lost.
     */
    long losses();

    /**
     * Whether a subscription to an instance's presence channel lists it as a candidate ({@code
     * PUBSUB CHANNELS} in {@code candidates.lua}), so that its follower may poll with a plain {@code
     * PTTL} ({@link FollowerPolls}). Not on Redis Cluster, where that command sees one node only.
     */
    boolean listsPresence();

    /**
     * Sharded pub/sub for a Lettuce factory in cluster mode, classic pub/sub otherwise; {@code
     * supervisor} is where the link is kept up.
     */
    static ReleaseLink of(RedisConnectionFactory connectionFactory, ScheduledExecutorService supervisor) {
        if (connectionFactory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware()) {
            return new ShardedReleaseSubscriptions(lettuce, supervisor);
        }
        return new ReleaseSubscriptions(connectionFactory, supervisor);
    }
}
