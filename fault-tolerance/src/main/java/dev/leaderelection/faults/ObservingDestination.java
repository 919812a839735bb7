package dev.leaderelection.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The Telnet destination of the suite and its single observer of real time: it records, with its
 * own monotonic clock, each connection's accept and close and every line written, and answers
 * every line with {@code echo: <line>}.
 *
 * <p>It enforces fencing: a connection whose first line is {@code HELLO <instance> <token>} belongs
 * to that token, and once a higher token has greeted, every line of the connection (its greeting
 * included) is refused: answered with {@code ERR stale fencing token <token> < <highest>}, recorded
 * as {@link Kind#REFUSED} and in {@link #refusals()}, and the connection closed. Equal tokens (the
 * same term reconnecting) are accepted; a connection that did not greet carries no token and is not
 * fenced. A refused line is not a {@link Kind#LINE}: the destination never acted on it.
 */
public final class ObservingDestination implements AutoCloseable {

    /** What happened on which connection. */
    public enum Kind {
        ACCEPTED,
        LINE,
        /** A line refused for a stale fencing token; the connection is closed next. */
        REFUSED,
        CLOSED
    }

    /** One observation, at {@code nanos} on the destination's clock ({@link System#nanoTime()}). */
    public record Event(long nanos, int connection, Kind kind, String line) {}

    /**
     * A line refused on {@code connection}, greeted by {@code instance} with {@code fencingToken},
     * because {@code highestToken} had greeted before.
     */
    public record Refusal(long nanos, int connection, String instance, long fencingToken, long highestToken) {}

    private static final Pattern GREETING = Pattern.compile("HELLO (\\S+) (-?\\d{1,18})\\s*$");

    private final ServerSocket server;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private long highestToken = Long.MIN_VALUE; // guarded by fence
    private final Object fence = new Object();

    public ObservingDestination() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot listen on the loopback address", ex);
        }
        Thread acceptor = new Thread(this::acceptAll, "observing-destination");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Everything observed so far, in the order observed. */
    public List<Event> events() {
        return List.copyOf(events);
    }

    /** The sessions observed so far; a connection refused at its greeting never held one. */
    public List<Session> sessions() {
        return Session.of(events());
    }

    /** The lines refused so far for a stale fencing token, in the order refused. */
    public List<Refusal> refusals() {
        return List.copyOf(refusals);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                int connection = connections.incrementAndGet();
                events.add(new Event(System.nanoTime(), connection, Kind.ACCEPTED, ""));
                Thread session = new Thread(() -> serve(connection, socket), "observed-" + connection);
                session.setDaemon(true);
                session.start();
            } catch (IOException ex) {
                return; // closed
            }
        }
    }

    private void serve(int connection, Socket socket) {
        try (socket) {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            String line = in.readLine();
            Matcher greeting = GREETING.matcher(line == null ? "" : line);
            Greeting holder =
                    greeting.find() ? new Greeting(greeting.group(1), Long.parseLong(greeting.group(2))) : null;
            for (; line != null; line = in.readLine()) {
                String refusal = admit(connection, holder, line);
                out.write(((refusal != null ? refusal : "echo: " + line) + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (refusal != null) {
                    break;
                }
            }
        } catch (IOException ex) {
            // reset by the peer, such as a killed process
        } finally {
            events.add(new Event(System.nanoTime(), connection, Kind.CLOSED, ""));
        }
    }

    /**
     * Records {@code line} of a connection greeted by {@code holder} ({@code null}: not greeted), or
     * refuses it if a higher token has greeted; the check and the record are one step.
     *
     * @return the refusal to answer, or {@code null} if the line is accepted
     */
    private @Nullable String admit(int connection, @Nullable Greeting holder, String line) {
        synchronized (fence) {
            long now = System.nanoTime();
            if (holder != null && holder.token() < highestToken) {
                events.add(new Event(now, connection, Kind.REFUSED, line));
                refusals.add(new Refusal(now, connection, holder.instance(), holder.token(), highestToken));
                return "ERR stale fencing token " + holder.token() + " < " + highestToken;
            }
            if (holder != null) {
                highestToken = Math.max(highestToken, holder.token());
            }
            events.add(new Event(now, connection, Kind.LINE, line));
            return null;
        }
    }

    /** The instance and token a connection greeted with. */
    private record Greeting(String instance, long token) {}
}
