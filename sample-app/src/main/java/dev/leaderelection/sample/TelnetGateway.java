package dev.leaderelection.sample;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.event.LeadershipGrantedEvent;
import dev.leaderelection.event.LeadershipRevokedEvent;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Holds the leader's Telnet connection: opens it when leadership is granted, closes it at once when
 * leadership is revoked, and never writes a byte outside the term the connection belongs to.
 *
 * <p>Two locks: {@code exchangeLock} keeps one request and its reply together; {@code termLock}
 * guards the connection field and every write, and the revocation takes it before closing. A write
 * therefore either happens before the revocation closes the connection, or sees that the term has
 * ended and writes nothing. Reads run outside {@code termLock}, so a slow reply never delays the
 * revocation.
 */
@Component
public class TelnetGateway {

    private static final Logger log = LoggerFactory.getLogger(TelnetGateway.class);

    private final LeaderElector elector;
    private final TelnetProperties properties;
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "telnet-connector");
        thread.setDaemon(true);
        return thread;
    });
    private final ReentrantLock exchangeLock = new ReentrantLock();
    private final ReentrantLock termLock = new ReentrantLock();
    private @Nullable TelnetConnection connection; // guarded by termLock

    public TelnetGateway(LeaderElector elector, TelnetProperties properties) {
        this.elector = elector;
        this.properties = properties;
    }

    /** Connects off the election thread, so a slow destination never delays the election. */
    @EventListener
    @LeaderOnly
    public void onGranted(LeadershipGrantedEvent event) {
        long token = event.fencingToken();
        connector.execute(() -> connect(token, properties.reconnect().initial()));
    }

    /** Closes the connection at once, whatever the reason. Not guarded: we are no longer leader here. */
    @EventListener
    public void onRevoked(LeadershipRevokedEvent event) {
        TelnetConnection closing;
        termLock.lock();
        try {
            closing = connection;
            connection = null;
        } finally {
            termLock.unlock();
        }
        if (closing != null) {
            log.info(
                    "close_telnet: fencingToken={} reason={} destination={}:{}",
                    closing.fencingToken(),
                    event.reason(),
                    properties.host(),
                    properties.port());
            closing.close();
        }
    }

    /** Sends one line and returns the destination's reply line. */
    @LeaderOnly
    public String send(String line) {
        exchangeLock.lock();
        try {
            TelnetConnection current = currentConnection();
            try {
                write(current, line);
                return current.readLine();
            } catch (IOException e) {
                drop(current);
                reconnect(current.fencingToken(), properties.reconnect().initial(), e);
                throw new TelnetUnavailableException("Telnet destination failed: " + e.getMessage(), e);
            }
        } finally {
            exchangeLock.unlock();
        }
    }

    /** Proves the connection alive; a broken one is dropped and opened again. */
    @Scheduled(fixedDelayString = "${telnet.keep-alive-interval:5s}")
    @LeaderOnly
    public void keepAlive() {
        try {
            send("PING");
        } catch (TelnetUnavailableException e) {
            log.debug("Keep-alive skipped: {}", e.getMessage());
        }
    }

    /** Whether this instance holds an open connection for its current term. */
    public boolean isConnected() {
        termLock.lock();
        try {
            return connection != null && isCurrent(connection.fencingToken());
        } finally {
            termLock.unlock();
        }
    }

    @PreDestroy
    void shutdown() {
        connector.shutdownNow();
        termLock.lock();
        try {
            if (connection != null) {
                connection.close();
                connection = null;
            }
        } finally {
            termLock.unlock();
        }
    }

    /** Runs on the connector thread; retries with backoff for as long as the term lasts. */
    private void connect(long token, Duration backoff) {
        if (!isCurrent(token)) {
            return;
        }
        TelnetConnection opened = new TelnetConnection(token);
        try {
            opened.connect(properties.host(), properties.port(), properties.connectTimeout(), properties.readTimeout());
        } catch (IOException e) {
            opened.close();
            reconnect(token, backoff, e);
            return;
        }
        exchangeLock.lock();
        try {
            if (!install(opened)) {
                opened.close();
                return;
            }
            log.info("open_telnet: fencingToken={} destination={}:{}", token, properties.host(), properties.port());
            if (properties.greeting()) {
                write(opened, "HELLO " + elector.instanceId() + " " + token);
                opened.readLine();
            }
        } catch (IOException e) {
            drop(opened);
            reconnect(token, backoff, e);
        } finally {
            exchangeLock.unlock();
        }
    }

    /** While the term lasts, tries again after {@code backoff}, then waits longer after each failure. */
    private void reconnect(long token, Duration backoff, Exception cause) {
        if (isCurrent(token) && !connector.isShutdown()) {
            log.warn(
                    "Telnet destination {}:{} failed ({}); reconnecting in {}",
                    properties.host(),
                    properties.port(),
                    cause.getMessage(),
                    backoff);
            connector.schedule(
                    () -> connect(token, properties.reconnect().next(backoff)),
                    backoff.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Makes {@code opened} the connection, if its term is still the current one. */
    private boolean install(TelnetConnection opened) {
        termLock.lock();
        try {
            if (connection != null || !isCurrent(opened.fencingToken())) {
                return false;
            }
            connection = opened;
            return true;
        } finally {
            termLock.unlock();
        }
    }

    private TelnetConnection currentConnection() {
        termLock.lock();
        try {
            TelnetConnection current = connection;
            if (current == null || !isCurrent(current.fencingToken())) {
                throw new TelnetUnavailableException("No Telnet connection for the current term");
            }
            return current;
        } finally {
            termLock.unlock();
        }
    }

    /**
     * Writes one line, if {@code target} is still the connection of the current term; otherwise
     * writes nothing and fails. Holding {@code termLock} means the revocation cannot close the
     * connection between the check and the write.
     */
    private void write(TelnetConnection target, String line) throws IOException {
        termLock.lock();
        try {
            if (connection != target || !isCurrent(target.fencingToken())) {
                throw new IOException("The term of this Telnet connection has ended");
            }
            target.sendLine(line);
        } finally {
            termLock.unlock();
        }
    }

    /** Forgets and closes a broken connection. */
    private void drop(TelnetConnection broken) {
        termLock.lock();
        try {
            if (connection == broken) {
                connection = null;
            }
        } finally {
            termLock.unlock();
        }
        broken.close();
    }

    /** Whether this instance leads now, in the term that {@code token} names. */
    private boolean isCurrent(long token) {
        return elector.isLeader()
                && elector.currentLeadership()
                        .map(leadership -> leadership.fencingToken() == token)
                        .orElse(false);
    }
}
