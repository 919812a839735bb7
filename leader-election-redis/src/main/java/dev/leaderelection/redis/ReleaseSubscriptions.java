package dev.leaderelection.redis;

import dev.leaderelection.ErrorDescriptions;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.WakeUps;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Listens on the channels of the elections of one store, where releases ({@code released}) and grants
 * ({@code granted:<fencing token>:<instance id>}) are announced, and hands them to each election's
 * {@link LeaseChangeListener}.
 *
 * <p>Listens on the release channels of the elections of one store over a single pub/sub connection.
 * A supervisor on the store's background thread registers every wanted channel, and keeps trying
 * with back-off while the container is not listening: at startup before Redis answers, and after
 * any loss the container does not recover from by itself (Lettuce re-subscribes an established
 * connection after a reconnect). It logs one WARN when the link is lost and one INFO when it is
 * back. An unreachable server never blocks an election: followers fall back to lease expiry.
 */
final class ReleaseSubscriptions implements ReleaseLink {

    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration MAX_RETRY = Duration.ofSeconds(5);
    /** How often a healthy link is looked at; reads local state only, sends nothing. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(ReleaseSubscriptions.class);
    private static final long RECOVERY_INTERVAL_MILLIS = 1000;
    private static final String GRANTED = "granted:";
    private static final String HELD = "held:";

    private final RedisMessageListenerContainer container = new RedisMessageListenerContainer();
    private final ScheduledExecutorService supervisor;
    private final Set<Registration> wanted = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    /** Counts the losses of the link seen so far: what was heard before a loss may be stale. */
    private final AtomicLong losses = new AtomicLong();

    private @Nullable ScheduledFuture<?> nextLook; // guarded by this

    // Confined to the supervisor thread.
    private Duration nextRetry = FIRST_RETRY;
    private boolean lost;

    ReleaseSubscriptions(RedisConnectionFactory connectionFactory, ScheduledExecutorService supervisor) {
        this.supervisor = supervisor;
        container.setConnectionFactory(connectionFactory);
        container.setRecoveryInterval(RECOVERY_INTERVAL_MILLIS);
        // Announcements are handed on where they arrive (the client's I/O thread): each listener
        // only queues a task on its election's thread, so a new thread per message (the default
        // executor) would only add its start-up to every hand-off.
        container.setTaskExecutor(Runnable::run);
        container.setBeanName("leader-election-release-listener");
        container.afterPropertiesSet();
        container.start();
    }

    @Override
    public Subscription subscribe(String channel, LeaseChangeListener listener) {
        Registration registration =
                new Registration(new ChannelTopic(channel), (message, pattern) -> dispatch(message, listener));
        wanted.add(registration);
        supervise(Duration.ZERO);
        return new Subscription() {
            @Override
            public void close() {
                wanted.remove(registration);
                registration.closed = true;
                try {
                    supervisor.execute(() -> unregister(registration));
                } catch (RejectedExecutionException ex) {
                    // the store is closed, and its container with it
                }
            }

            @Override
            public WakeUps state() {
                if (registration.closed || !running) {
                    return WakeUps.NONE;
                }
                return registration.registered && container.isListening() ? WakeUps.SUBSCRIBED : WakeUps.RETRYING;
            }
        };
    }

    /** Calls {@code listener} for one announcement; an announcement it cannot read is ignored. */
    static void dispatch(Message message, LeaseChangeListener listener) {
        String body = new String(message.getBody(), StandardCharsets.UTF_8);
        if (body.equals("released")) {
            listener.released();
            return;
        }
        if (body.startsWith(HELD) && body.length() > HELD.length()) {
            if (listener instanceof FollowerPolls.HolderListener holders) {
                holders.held(body.substring(HELD.length()));
            }
            return;
        }
        int separator = body.indexOf(':', GRANTED.length());
        if (body.startsWith(GRANTED) && separator > GRANTED.length()) {
            String fencingToken = body.substring(GRANTED.length(), separator);
            if (isDecimal(fencingToken) && fencingToken.length() < 19) {
                listener.granted(body.substring(separator + 1), Long.parseLong(fencingToken));
                return;
            }
        }
        log.debug("Ignoring an announcement that is neither a release nor a grant: {}", body);
    }

    /** A loop, not a stream: this runs on a JVM's first hand-off, where linking a stream cost milliseconds. */
    private static boolean isDecimal(String digits) {
        for (int i = 0; i < digits.length(); i++) {
            if (!Character.isDigit(digits.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long losses() {
        return losses.get();
    }

    @Override
    public boolean listsPresence() {
        return true;
    }

    /** Listens again after {@link #stop()}. */
    @Override
    public void start() {
        running = true;
        container.start();
        supervise(Duration.ZERO);
    }

    /** Stops listening at once, even while a registration waits for an unreachable server. */
    @Override
    public void stop() {
        running = false;
        losses.incrementAndGet();
        container.stop();
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public boolean sharded() {
        return false;
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

    /** On the supervisor thread: registers what is missing, then looks again later. */
    private void ensureLinked() {
        synchronized (this) {
            nextLook = null;
        }
        if (!running || wanted.isEmpty()) {
            return;
        }
        RuntimeException failure = null;
        for (Registration registration : wanted) {
            if (!registration.registered || !container.isListening()) {
                try {
                    container.addMessageListener(registration.listener, registration.topic);
                    registration.registered = true;
                } catch (RuntimeException ex) {
                    failure = ex;
                    break;
                }
            }
        }
        if (failure == null && container.isListening()) {
            linked();
        } else {
            notLinked(failure);
        }
    }

    private void linked() {
        if (lost) {
            lost = false;
            log.info("Release wake-ups are subscribed again: followers hear releases at once");
        }
        nextRetry = FIRST_RETRY;
        supervise(CHECK_INTERVAL);
    }

    private void notLinked(@Nullable RuntimeException failure) {
        losses.incrementAndGet();
        if (!lost) {
            lost = true;
            log.warn(
                    "Release wake-ups are not subscribed ({}); retrying with back-off, followers fall back to lease expiry meanwhile",
                    failure != null ? ErrorDescriptions.describe(failure) : "the pub/sub connection is not listening");
        }
        supervise(nextRetry);
        Duration doubled = nextRetry.multipliedBy(2);
        nextRetry = doubled.compareTo(MAX_RETRY) < 0 ? doubled : MAX_RETRY;
    }

    private void unregister(Registration registration) {
        try {
            container.removeMessageListener(registration.listener, registration.topic);
        } catch (RuntimeException ex) {
            log.debug("Could not unsubscribe from {}: {}", registration.topic, ex.toString());
        }
    }

    /** One wanted channel subscription; its flags are written by the supervisor and read anywhere. */
    private static final class Registration {
        final ChannelTopic topic;
        final MessageListener listener;
        volatile boolean registered;
        volatile boolean closed;

        Registration(ChannelTopic topic, MessageListener listener) {
            this.topic = topic;
            this.listener = listener;
        }
    }
}
