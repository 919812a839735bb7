package dev.leaderelection.jdbc;

import dev.leaderelection.ErrorDescriptions;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.WakeUps;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the store's one NOTIFY channel over one connection, for every election of the store,
 * and hands each message to the subscribers of the election it names. A thread of its own holds the
 * connection while anyone subscribes and the store runs; it opens it again with back-off after any
 * loss, and checks a quiet link now and then, so a server that restarted is noticed. It logs one WARN
 * when the link is lost and one INFO when it is back. Followers fall back to lease expiry meanwhile.
 *
 * <p>Messages: {@code released <election>} and {@code granted <election> <fencing token> <instance id>}.
 */
final class Notifications implements AutoCloseable {

    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration MAX_RETRY = Duration.ofSeconds(5);
    /** How long one wait for messages lasts; also how soon a new subscription or a stop is seen. */
    static final Duration POLL = Duration.ofMillis(250);

    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    private static final AtomicInteger LISTENERS = new AtomicInteger();

    private final DataSource dataSource;
    private final String channel;
    private final Duration checkInterval;
    private final Map<String, Set<Registration>> wanted = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final String threadName = "leader-election-jdbc-listen-" + LISTENERS.incrementAndGet();

    private volatile boolean running = true;
    private volatile boolean closed;
    private volatile boolean listening;
    private @Nullable Thread thread; // guarded by lock

    Notifications(DataSource dataSource, String channel, Duration checkInterval) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.checkInterval = checkInterval;
    }

    Subscription subscribe(String election, LeaseChangeListener listener) {
        Registration registration = new Registration(listener);
        wanted.computeIfAbsent(election, name -> new CopyOnWriteArraySet<>()).add(registration);
        ensureThread();
        return new Subscription() {
            @Override
            public void close() {
                registration.closed = true;
                wanted.computeIfPresent(election, (name, registrations) -> {
                    registrations.remove(registration);
                    return registrations.isEmpty() ? null : registrations;
                });
            }

            @Override
            public WakeUps state() {
                if (registration.closed || !running || closed) {
                    return WakeUps.NONE;
                }
                return listening ? WakeUps.SUBSCRIBED : WakeUps.RETRYING;
            }
        };
    }

    /** Listens again after {@link #stop()}. */
    void start() {
        if (!closed) {
            running = true;
            ensureThread();
        }
    }

    /** Stops listening, within one poll; subscriptions stay and listen again on {@link #start()}. */
    void stop() {
        running = false;
        Thread current;
        synchronized (lock) {
            current = thread;
        }
        if (current != null) {
            try {
                current.join(POLL.multipliedBy(4).toMillis());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        stop();
    }

    private void ensureThread() {
        synchronized (lock) {
            if (thread != null || !running || closed || wanted.isEmpty()) {
                return;
            }
            Thread started = new Thread(this::listen, threadName);
            started.setDaemon(true);
            thread = started;
            started.start();
        }
    }

    /** The listening thread: connect, LISTEN, poll; on a failure wait with back-off and start over. */
    private void listen() {
        Duration nextRetry = FIRST_RETRY;
        boolean lost = false;
        try {
            while (keepListening()) {
                try (Connection connection = dataSource.getConnection()) {
                    connection.setAutoCommit(true);
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("LISTEN " + quoted(channel));
                    }
                    listening = true;
                    if (lost) {
                        log.info("Release wake-ups are subscribed again: followers hear releases at once");
                        lost = false;
                    }
                    nextRetry = FIRST_RETRY;
                    poll(connection);
                    // left the loop because nobody listens any more or the store stopped
                    listening = false;
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("UNLISTEN *");
                    }
                } catch (SQLException | RuntimeException ex) {
                    listening = false;
                    if (!keepListening()) {
                        break;
                    }
                    if (!lost) {
                        lost = true;
                        log.warn(
                                "Release wake-ups are not subscribed ({}); retrying with back-off, followers fall back to lease expiry meanwhile",
                                ErrorDescriptions.describe(ex));
                    }
                    sleep(nextRetry);
                    Duration doubled = nextRetry.multipliedBy(2);
                    nextRetry = doubled.compareTo(MAX_RETRY) < 0 ? doubled : MAX_RETRY;
                }
            }
        } finally {
            listening = false;
            synchronized (lock) {
                thread = null;
            }
            ensureThread(); // a subscription that came in while this thread was ending
        }
    }

    private void poll(Connection connection) throws SQLException {
        PGConnection notifications = connection.unwrap(PGConnection.class);
        long lastTraffic = System.nanoTime();
        while (keepListening()) {
            PGNotification[] received = notifications.getNotifications((int) POLL.toMillis());
            if (received != null && received.length > 0) {
                lastTraffic = System.nanoTime();
                for (PGNotification notification : received) {
                    dispatch(notification.getParameter());
                }
            } else if (System.nanoTime() - lastTraffic > checkInterval.toNanos()) {
                // A quiet link may be a dead one: a server that restarted sends nothing.
                if (!connection.isValid((int) Math.max(1, checkInterval.toSeconds()))) {
                    throw new SQLException("the LISTEN connection stopped answering");
                }
                lastTraffic = System.nanoTime();
            }
        }
    }

    private boolean keepListening() {
        return running && !closed && !wanted.isEmpty();
    }

    void dispatch(String message) {
        String[] parts = message.split(" ", 4);
        if (parts.length < 2) {
            return;
        }
        Set<Registration> registrations = wanted.get(parts[1]);
        if (registrations == null) {
            return;
        }
        for (Registration registration : registrations) {
            try {
                if (parts[0].equals("released")) {
                    registration.listener.released();
                } else if (parts[0].equals("granted") && parts.length == 4) {
                    registration.listener.granted(parts[3], Long.parseLong(parts[2]));
                }
            } catch (RuntimeException ex) {
                log.warn("A lease change listener of election {} failed", parts[1], ex);
            }
        }
    }

    /** {@code name} as a quoted SQL identifier. */
    static String quoted(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    private static void sleep(Duration duration) {
        try {
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Registration {
        final LeaseChangeListener listener;
        volatile boolean closed;

        Registration(LeaseChangeListener listener) {
            this.listener = listener;
        }
    }
}
