package dev.leaderelection.redis;

import dev.leaderelection.ErrorDescriptions;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.WakeUps;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.DefaultMessage;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Listens on the elections' channels as shard channels ({@code SSUBSCRIBE}, Redis 7+) on Redis
 * Cluster: each channel on the primary that serves its slot, the slot of the election's keys, so an
 * announcement ({@code SPUBLISH} in the scripts) reaches that shard's nodes only instead of every
 * node over the cluster bus. One pub/sub connection per primary that serves an election of this
 * store, opened through the cluster client of the application's connection factory (its addresses,
 * credentials and TLS).
 *
 * <p>A supervisor on the store's background thread subscribes what is missing and looks again
 * every {@link ReleaseSubscriptions#CHECK_INTERVAL} (local state only): a channel is subscribed
 * anew when its node's connection is lost (the primary died: the topology is read again to find the
 * replica that took over) or when the node unsubscribes it ({@code sunsubscribe}: the slot moved
 * away, by a failover or a migration). Meanwhile followers fall back to lease expiry. It logs one
 * WARN when the link is lost and one INFO when it is back, like {@link ReleaseSubscriptions}.
 */
final class ShardedReleaseSubscriptions implements ReleaseLink {

    private static final Logger log = LoggerFactory.getLogger(ShardedReleaseSubscriptions.class);

    private final LettuceConnectionFactory connectionFactory;
    private final ScheduledExecutorService supervisor;
    /** Wanted channels and their listeners. */
    private final Map<String, Set<LeaseChangeListener>> wanted = new ConcurrentHashMap<>();
    /** Subscribed channels and the id of the node that confirmed each. */
    private final Map<String, String> subscribedOn = new ConcurrentHashMap<>();
    /** The node connections this link listens on, by node id. */
    private final Map<String, StatefulRedisPubSubConnection<String, String>> nodes = new ConcurrentHashMap<>();

    private volatile boolean running = true;
    private @Nullable ScheduledFuture<?> nextLook; // guarded by this

    /** Opened by the supervisor, closed by it or by {@link #close()}. */
    private volatile @Nullable StatefulRedisClusterPubSubConnection<String, String> connection;

    // Confined to the supervisor thread.
    private Duration nextRetry = ReleaseSubscriptions.FIRST_RETRY;
    private boolean lost;
    private boolean refreshedAfterMove;

    ShardedReleaseSubscriptions(LettuceConnectionFactory connectionFactory, ScheduledExecutorService supervisor) {
        this.connectionFactory = connectionFactory;
        this.supervisor = supervisor;
    }

    @Override
    public Subscription subscribe(String channel, LeaseChangeListener listener) {
        wanted.computeIfAbsent(channel, name -> new CopyOnWriteArraySet<>()).add(listener);
        supervise(Duration.ZERO);
        return new Subscription() {
            private volatile boolean closed;

            @Override
            public void close() {
                closed = true;
                wanted.computeIfPresent(channel, (name, listeners) -> {
                    listeners.remove(listener);
                    return listeners.isEmpty() ? null : listeners;
                });
                supervise(Duration.ZERO);
            }

            @Override
            public WakeUps state() {
                if (closed || !running) {
                    return WakeUps.NONE;
                }
                String node = subscribedOn.get(channel);
                StatefulRedisPubSubConnection<String, String> link = node != null ? nodes.get(node) : null;
                return link != null && link.isOpen() ? WakeUps.SUBSCRIBED : WakeUps.RETRYING;
            }
        };
    }

    @Override
    public boolean sharded() {
        return true;
    }

    /** Not counted: followers on Cluster make full acquires, which do not rely on what they heard. */
    @Override
    public long losses() {
        return 0;
    }

    @Override
    public boolean listsPresence() {
        return false;
    }

    @Override
    public void start() {
        running = true;
        supervise(Duration.ZERO);
    }

    @Override
    public void stop() {
        running = false;
        supervise(Duration.ZERO); // closes the connections on the supervisor thread
    }

    /** Stops listening and closes the connections at once: the supervisor stops with the store. */
    @Override
    public void close() {
        running = false;
        disconnect();
    }

    /** Makes sure one look is due within {@code delay}: one supervision loop, however many callers. */
    private synchronized void supervise(Duration delay) {
        if (nextLook != null && nextLook.getDelay(TimeUnit.NANOSECONDS) <= delay.toNanos()) {
            return;
        }
        if (nextLook != null) {
            nextLook.cancel(false);
        }
        try {
            nextLook = supervisor.schedule(this::ensureLinked, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ex) {
            nextLook = null; // the store is closed: nothing to supervise any more
        }
    }

    /** On the supervisor thread: subscribes what is missing where it belongs now, then looks again later. */
    private void ensureLinked() {
        synchronized (this) {
            nextLook = null;
        }
        if (!running) {
            disconnect();
            return;
        }
        try {
            RedisClusterClient client = client();
            StatefulRedisClusterPubSubConnection<String, String> cluster = connection;
            if (cluster == null) {
                cluster = client.connectPubSub(StringCodec.UTF8);
                connection = cluster;
            }
            // A lost node connection: its primary may have died, and a replica taken over its slots.
            boolean stale = subscribedOn.entrySet().removeIf(entry -> !isOpen(entry.getValue()));
            if (stale) {
                client.refreshPartitions();
            }
            for (String channel : wanted.keySet()) {
                if (!subscribedOn.containsKey(channel)) {
                    RedisClusterNode owner = client.getPartitions().getPartitionBySlot(SlotHash.getSlot(channel));
                    if (owner == null) {
                        throw new IllegalStateException("no node serves the slot of " + channel);
                    }
                    nodeConnection(cluster, owner.getNodeId()).sync().ssubscribe(channel);
                    subscribedOn.put(channel, owner.getNodeId());
                }
            }
            for (Map.Entry<String, String> entry : new HashMap<>(subscribedOn).entrySet()) {
                if (!wanted.containsKey(entry.getKey()) && subscribedOn.remove(entry.getKey(), entry.getValue())) {
                    StatefulRedisPubSubConnection<String, String> node = nodes.get(entry.getValue());
                    if (node != null) {
                        node.async().sunsubscribe(entry.getKey());
                    }
                }
            }
            linked();
        } catch (RuntimeException ex) {
            if (String.valueOf(ex.getMessage()).startsWith("MOVED") && !refreshedAfterMove) {
                // The slot moved (a migration, a failover) since the topology was read: read it
                // again and subscribe where the slot lives now, at once and without a warning.
                refreshedAfterMove = true;
                refreshQuietly();
                supervise(Duration.ZERO);
                return;
            }
            notLinked(ex);
        }
    }

    private StatefulRedisPubSubConnection<String, String> nodeConnection(
            StatefulRedisClusterPubSubConnection<String, String> cluster, String nodeId) {
        StatefulRedisPubSubConnection<String, String> node = cluster.getConnection(nodeId);
        if (nodes.put(nodeId, node) != node) {
            node.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void smessage(String channel, String message) {
                    Set<LeaseChangeListener> listeners = wanted.get(channel);
                    if (listeners != null) {
                        DefaultMessage received = new DefaultMessage(
                                channel.getBytes(StandardCharsets.UTF_8), message.getBytes(StandardCharsets.UTF_8));
                        listeners.forEach(listener -> ReleaseSubscriptions.dispatch(received, listener));
                    }
                }

                @Override
                public void sunsubscribed(String channel, long count) {
                    // The slot left this node (failover, migration), or this link let the channel go.
                    if (subscribedOn.remove(channel, nodeId) && wanted.containsKey(channel)) {
                        supervise(Duration.ZERO);
                    }
                }
            });
        }
        return node;
    }

    private boolean isOpen(String nodeId) {
        StatefulRedisPubSubConnection<String, String> node = nodes.get(nodeId);
        return node != null && node.isOpen();
    }

    private RedisClusterClient client() {
        AbstractRedisClient client = connectionFactory.getNativeClient();
        if (client instanceof RedisClusterClient cluster) {
            return cluster;
        }
        throw new IllegalStateException("the connection factory is not started");
    }

    private void refreshQuietly() {
        try {
            client().refreshPartitions();
        } catch (RuntimeException ex) {
            log.debug("Could not read the cluster topology: {}", ex.toString());
        }
    }

    private void disconnect() {
        StatefulRedisClusterPubSubConnection<String, String> cluster = connection;
        connection = null;
        subscribedOn.clear();
        nodes.clear();
        if (cluster != null) {
            try {
                cluster.close(); // its node connections with it
            } catch (RuntimeException ex) {
                log.debug("Could not close the shard channel connection: {}", ex.toString());
            }
        }
    }

    private void linked() {
        refreshedAfterMove = false;
        if (lost) {
            lost = false;
            log.info("Release wake-ups are subscribed again: followers hear releases at once");
        }
        nextRetry = ReleaseSubscriptions.FIRST_RETRY;
        supervise(ReleaseSubscriptions.CHECK_INTERVAL);
    }

    private void notLinked(RuntimeException failure) {
        if (!lost) {
            lost = true;
            log.warn(
                    "Release wake-ups are not subscribed ({}); retrying with back-off, followers fall back to lease expiry meanwhile",
                    ErrorDescriptions.describe(failure));
        }
        supervise(nextRetry);
        Duration doubled = nextRetry.multipliedBy(2);
        nextRetry = doubled.compareTo(ReleaseSubscriptions.MAX_RETRY) < 0 ? doubled : ReleaseSubscriptions.MAX_RETRY;
    }
}
