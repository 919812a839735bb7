package dev.leaderelection.redis;

import dev.leaderelection.store.LeaseStore.Subscription;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Listens on the release channels of the elections of one store over a single pub/sub
 * connection, which Spring Data Redis re-establishes after a disconnect. Registration runs on its
 * own thread, so an unreachable server never blocks an election; a wake-up that cannot be
 * registered only means that followers wait for the lease to expire.
 */
final class ReleaseSubscriptions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReleaseSubscriptions.class);
    private static final long RECOVERY_INTERVAL_MILLIS = 1000;

    private final RedisMessageListenerContainer container = new RedisMessageListenerContainer();
    private final ExecutorService registrations = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "leader-election-redis-subscriptions");
        thread.setDaemon(true);
        return thread;
    });

    ReleaseSubscriptions(RedisConnectionFactory connectionFactory) {
        container.setConnectionFactory(connectionFactory);
        container.setRecoveryInterval(RECOVERY_INTERVAL_MILLIS);
        container.setBeanName("leader-election-release-listener");
        container.afterPropertiesSet();
        container.start();
    }

    Subscription subscribe(String channel, Runnable onRelease) {
        MessageListener listener = (message, pattern) -> onRelease.run();
        ChannelTopic topic = new ChannelTopic(channel);
        register(channel, () -> container.addMessageListener(listener, topic));
        return () -> register(channel, () -> container.removeMessageListener(listener, topic));
    }

    /** Listens again after {@link #stop()}. */
    void start() {
        container.start();
    }

    /** Stops listening at once, even while a registration waits for an unreachable server. */
    void stop() {
        container.stop();
    }

    boolean isRunning() {
        return container.isRunning();
    }

    @Override
    public void close() {
        stop();
        registrations.shutdownNow();
    }

    private void register(String channel, Runnable change) {
        registrations.execute(() -> {
            try {
                change.run();
            } catch (RuntimeException ex) {
                if (container.isRunning()) {
                    log.warn(
                            "Could not change the subscription to {}; followers fall back to lease expiry: {}",
                            channel,
                            ex.toString());
                }
            }
        });
    }
}
