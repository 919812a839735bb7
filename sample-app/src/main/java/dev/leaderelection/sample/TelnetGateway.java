package dev.leaderelection.sample;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.annotation.LeaderLifecycle;
import dev.leaderelection.annotation.LeaderOnly;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Holds the leader's Telnet session: a {@link SmartLifecycle} that runs on the leader only ({@link
 * LeaderLifecycle}). The starter starts it after each grant: it connects, logs in, greets and sends
 * keep-alives; and stops it on each revocation, before the lease is released: it closes the
 * connection, so the next leader's session never overlaps this one at the destination. It writes
 * only through the connection of the term it leads in.
 *
 * <p>What it cannot promise: each write checks, under {@code termLock}, that its connection belongs
 * to the current term, and then writes. The check reads the local deadline, so a pause between the
 * check and the socket write (a GC, a frozen process) can put bytes on the wire after that deadline,
 * when another instance may already lead. The destination makes such bytes harmless: every
 * connection greets with {@code HELLO <instance> <fencingToken>}, and a fencing destination refuses
 * a session, and every further line on one, whose token is lower than the highest it has seen
 * (bytes that arrive before any newer term greets are, to the destination, simply earlier).
 *
 * <p>One connection per term: a connection of the current term replaces one of an older term that
 * was not cleaned up (a {@code stop()} that failed), and when the current term has none while the
 * session runs, the next keep-alive or send starts a connect for it, unless one is already under way.
 *
 * <p>What is said on the connection is {@link TelnetDialog}'s: after connecting, the banner and
 * the login, then the greeting as the first command; each command's reply framed by the prompt.
 * A failed login, a reply over the size bound or past the read timeout drops the connection (what
 * is left of a reply would be taken for the next one) and reconnects with backoff while the term
 * lasts.
 *
 * <p>Two locks: {@code exchangeLock} keeps one request and its reply together; {@code termLock}
 * guards the session, the connection, the term being connected and every write, and {@code stop()}
 * takes it before closing. A write therefore either happens before {@code stop()} closes the
 * connection, or sees that the term has ended and writes nothing. Reads run outside {@code
 * termLock}, so a slow reply never delays {@code stop()}, nor the release that waits for it.
 */
@Component
@LeaderLifecycle
public class TelnetGateway implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TelnetGateway.class);
    private static final long NO_TERM = Long.MIN_VALUE;

    private final LeaderElector elector;
    private final TelnetProperties properties;
    private final TelnetDialog dialog;
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "telnet-connector");
        thread.setDaemon(true);
        return thread;
    });
    private final ReentrantLock exchangeLock = new ReentrantLock();
    private final ReentrantLock termLock = new ReentrantLock();
    private @Nullable TelnetConnection connection; // guarded by termLock
    private long connectingTerm = NO_TERM; // guarded by termLock: the term whose connect is under way
    private @Nullable ScheduledFuture<?> keepAlives; // guarded by termLock: set while the session runs

    public TelnetGateway(LeaderElector elector, TelnetProperties properties) {
        this.elector = elector;
        this.properties = properties;
        this.dialog = new TelnetDialog(properties, this::write);
    }

    /**
     * Starts the session of the term this instance leads in: connects off the starting thread, and
     * sends a keep-alive every {@code telnet.keep-alive-interval}. Called after each grant.
     */
    @Override
    public void start() {
        termLock.lock();
        try {
            if (keepAlives != null) {
                return;
            }
            long interval = properties.keepAliveInterval().toMillis();
            keepAlives = connector.scheduleWithFixedDelay(this::keepAlive, interval, interval, TimeUnit.MILLISECONDS);
        } finally {
            termLock.unlock();
        }
        elector.currentLeadership().ifPresent(term -> connectFor(term.fencingToken(), Duration.ZERO, null));
    }

    /**
     * Ends the session: no more keep-alives, and the connection is closed at once. Called on each
     * revocation; the lease is released only after this returned.
     */
    @Override
    public void stop() {
        TelnetConnection closing;
        termLock.lock();
        try {
            if (keepAlives != null) {
                keepAlives.cancel(false);
                keepAlives = null;
            }
            closing = connection;
            connection = null;
        } finally {
            termLock.unlock();
        }
        if (closing != null) {
            close(closing, "STOPPED");
        }
    }

    @Override
    public boolean isRunning() {
        termLock.lock();
        try {
            return keepAlives != null;
        } finally {
            termLock.unlock();
        }
    }

    /**
     * Sends one command and returns the destination's reply: one line, or with {@code telnet.prompt}
     * every line up to the prompt; without the echo of the command.
     *
     * @throws InvalidTelnetCommandException if {@code line} holds a line break or a control character
     * @throws TelnetUnavailableException if there is no working connection, or the reply did not end
     *     within the read timeout and the maximum size (the connection is then opened anew)
     */
    @LeaderOnly
    public String send(String line) {
        TelnetDialog.checkCommand(line);
        exchangeLock.lock();
        try {
            TelnetConnection current = currentConnection();
            try {
                return dialog.exchange(current, line);
            } catch (IOException e) {
                drop(current);
                connectFor(current.fencingToken(), properties.reconnect().initial(), e);
                throw new TelnetUnavailableException("Telnet destination failed: " + e.getMessage(), e);
            }
        } finally {
            exchangeLock.unlock();
        }
    }

    /** Proves the connection alive; a broken or missing one is opened again. */
    private void keepAlive() {
        try {
            send("PING");
        } catch (TelnetUnavailableException e) {
            log.debug("Keep-alive skipped: {}", e.getMessage());
        } catch (RuntimeException e) { // thrown out of the task, it would cancel every later keep-alive
            log.warn("Keep-alive failed", e);
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

    /**
     * Starts connecting for term {@code token} after {@code delay}, unless the term already has a
     * connection or a connect under way; {@code cause} is why the last connection failed, if one did.
     */
    private void connectFor(long token, Duration delay, @Nullable Exception cause) {
        termLock.lock();
        try {
            if (connectingTerm == token || (connection != null && connection.fencingToken() == token)) {
                return;
            }
            connectingTerm = token;
        } finally {
            termLock.unlock();
        }
        if (cause != null) {
            logFailure(cause, delay);
        }
        schedule(token, delay, properties.reconnect().initial());
    }

    /**
     * Runs on the connector thread; retries with backoff for as long as the term lasts, and ends
     * the term's connect once a connection is installed and greeted.
     */
    private void connect(long token, Duration backoff) {
        if (!isCurrent(token)) {
            doneConnecting(token);
            return;
        }
        TelnetConnection opened = new TelnetConnection(token, properties.terminalType());
        try {
            opened.connect(properties.host(), properties.port(), properties.connectTimeout());
        } catch (IOException e) {
            opened.close();
            retry(token, backoff, e);
            return;
        }
        exchangeLock.lock();
        try {
            if (install(opened)) {
                dialog.open(opened);
                log.info("open_telnet: fencingToken={} destination={}:{}", token, properties.host(), properties.port());
                greet(opened);
            } else {
                opened.close();
            }
            doneConnecting(token);
        } catch (IOException e) {
            drop(opened);
            retry(token, backoff, e);
        } finally {
            exchangeLock.unlock();
        }
    }

    /**
     * Sends the command {@code HELLO <instance> <token>}; a reply starting with {@code ERR} means the
     * destination refused it.
     */
    private void greet(TelnetConnection opened) throws IOException {
        if (properties.greeting()) {
            String reply = dialog.exchange(opened, "HELLO " + elector.instanceId() + " " + opened.fencingToken());
            if (reply.startsWith("ERR")) {
                throw new IOException("The destination refused the greeting: " + reply);
            }
        }
    }

    /** While the term lasts, tries again after {@code backoff}, then waits longer after each failure. */
    private void retry(long token, Duration backoff, Exception cause) {
        if (isCurrent(token) && !connector.isShutdown()) {
            logFailure(cause, backoff);
            schedule(token, backoff, properties.reconnect().next(backoff));
        } else {
            doneConnecting(token);
        }
    }

    private void schedule(long token, Duration delay, Duration backoff) {
        if (!connector.isShutdown()) {
            connector.schedule(() -> connect(token, backoff), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The connect of term {@code token} has ended: installed, or the term is over. */
    private void doneConnecting(long token) {
        termLock.lock();
        try {
            if (connectingTerm == token) {
                connectingTerm = NO_TERM;
            }
        } finally {
            termLock.unlock();
        }
    }

    /**
     * Makes {@code opened} the connection, if its term is still the current one, and closes the one
     * it replaces: a term has one connect at a time, so that one is of an older term.
     */
    private boolean install(TelnetConnection opened) {
        TelnetConnection replaced;
        termLock.lock();
        try {
            if (!isCurrent(opened.fencingToken())) {
                return false;
            }
            replaced = connection;
            connection = opened;
        } finally {
            termLock.unlock();
        }
        if (replaced != null) {
            close(replaced, "REPLACED");
        }
        return true;
    }

    /** The connection of the current term; without one, starts connecting and fails. */
    private TelnetConnection currentConnection() {
        termLock.lock();
        try {
            TelnetConnection current = connection;
            if (current != null && isCurrent(current.fencingToken())) {
                return current;
            }
        } finally {
            termLock.unlock();
        }
        if (isRunning()) {
            elector.currentLeadership().ifPresent(term -> connectFor(term.fencingToken(), Duration.ZERO, null));
        }
        throw new TelnetUnavailableException("No Telnet connection for the current term");
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

    private void close(TelnetConnection closing, String reason) {
        log.info(
                "close_telnet: fencingToken={} reason={} destination={}:{}",
                closing.fencingToken(),
                reason,
                properties.host(),
                properties.port());
        closing.close();
    }

    private void logFailure(Exception cause, Duration backoff) {
        log.warn(
                "Telnet destination {}:{} failed ({}); reconnecting in {}",
                properties.host(),
                properties.port(),
                cause.getMessage(),
                backoff);
    }

    /** Whether this instance leads now, in the term that {@code token} names. */
    private boolean isCurrent(long token) {
        return elector.isLeader()
                && elector.currentLeadership()
                        .map(leadership -> leadership.fencingToken() == token)
                        .orElse(false);
    }
}
