package dev.leaderelection.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A Telnet destination on {@code 127.0.0.1}: answers every line with {@code echo: <line>} and
 * records every connection, line and close with the time it saw them.
 *
 * <p>It enforces fencing: a connection whose first line is {@code HELLO <instance> <token>} belongs
 * to that token, and once a higher token has greeted, every line of the connection (its greeting
 * included) is refused: answered with {@code ERR stale fencing token <token> < <highest>}, recorded
 * as {@link Kind#REFUSED}, and the connection closed. Equal tokens (the same term reconnecting) are
 * accepted; a connection that did not greet carries no token and is not fenced.
 *
 * <p>It can be down: its port then stays reserved by a socket that is bound but does not listen,
 * so connection attempts are refused at once, and no other socket (not even the ephemeral end of
 * a client connecting to this very port) can take the port until the destination listens again.
 */
final class TestDestination implements AutoCloseable {

    enum Kind {
        OPENED,
        LINE,
        /** A line refused for a stale fencing token; the connection is closed next. */
        REFUSED,
        CLOSED
    }

    /** Something the destination saw on connection {@code connection}, at {@code nanos}. */
    record Event(int connection, Kind kind, String text, long nanos) {}

    private static final Pattern GREETING = Pattern.compile("HELLO \\S+ (-?\\d{1,18})\\s*$");

    private final int port;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private long highestToken = Long.MIN_VALUE; // guarded by fence
    private final Object fence = new Object();
    private @Nullable ServerSocket server; // guarded by this
    private @Nullable Thread acceptor; // guarded by this
    private @Nullable Socket reservation; // guarded by this

    /** A destination that listens at once. */
    TestDestination() throws IOException {
        this(reserve(0));
        listen();
    }

    private TestDestination(Socket reservation) {
        this.reservation = reservation;
        this.port = reservation.getLocalPort();
    }

    /** A destination that is down: its port is known, but nothing listens on it until {@link #listen()}. */
    static TestDestination down() throws IOException {
        return new TestDestination(reserve(0));
    }

    int port() {
        return port;
    }

    /** Starts listening on {@link #port()}. */
    synchronized void listen() throws IOException {
        if (server != null) {
            return;
        }
        release();
        ServerSocket listening = new ServerSocket();
        listening.setReuseAddress(true);
        listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        Thread accepting = new Thread(() -> accept(listening), "test-destination");
        accepting.setDaemon(true);
        accepting.start();
        server = listening;
        acceptor = accepting;
    }

    /**
     * Goes down: stops listening, closes every connection from this side and keeps the port
     * reserved, so that connection attempts are refused until {@link #listen()}.
     */
    synchronized void stop() throws IOException, InterruptedException {
        stopListening();
        closeConnections();
        if (reservation == null) {
            reservation = reserve(port);
        }
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    /** How many connections were accepted so far. */
    int accepted() {
        return connections.get();
    }

    /** The lines refused so far for a stale fencing token. */
    List<Event> refused() {
        return events.stream().filter(event -> event.kind() == Kind.REFUSED).toList();
    }

    /** An open connection that has sent its first line (the greeting), if there is one. */
    Optional<Integer> greetedOpenConnection() {
        return open().stream()
                .filter(connection -> firstLine(connection).isPresent())
                .findFirst();
    }

    /** The connections accepted and not closed yet. */
    List<Integer> open() {
        return events.stream()
                .filter(event -> event.kind() == Kind.OPENED)
                .map(Event::connection)
                .filter(connection -> closedAt(connection).isEmpty())
                .toList();
    }

    /** The first line received on {@code connection}. */
    Optional<Event> firstLine(int connection) {
        return lines(connection).stream().findFirst();
    }

    /** Every line received on {@code connection}, in the order received. */
    List<Event> lines(int connection) {
        return events.stream()
                .filter(event -> event.connection() == connection && event.kind() == Kind.LINE)
                .toList();
    }

    Optional<Event> closedAt(int connection) {
        return events.stream()
                .filter(event -> event.connection() == connection && event.kind() == Kind.CLOSED)
                .findFirst();
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket socket = listening.accept();
                sockets.add(socket);
                int connection = connections.incrementAndGet();
                record(connection, Kind.OPENED, "");
                Thread reader = new Thread(() -> serve(connection, socket), "test-destination-" + connection);
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(int connection, Socket socket) {
        try (socket;
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            OutputStream out = socket.getOutputStream();
            String line = in.readLine();
            Long token = line == null ? null : greetingToken(line);
            for (; line != null; line = in.readLine()) {
                String refusal = admit(connection, token, line);
                out.write(((refusal != null ? refusal : "echo: " + line) + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (refusal != null) {
                    break;
                }
            }
        } catch (IOException e) {
            // a reset counts as a close
        }
        record(connection, Kind.CLOSED, "");
    }

    /**
     * Records {@code line} of a connection greeted with {@code token} ({@code null}: not greeted),
     * or refuses it if a higher token has greeted; the check and the record are one step.
     *
     * @return the refusal to answer, or {@code null} if the line is accepted
     */
    private @Nullable String admit(int connection, @Nullable Long token, String line) {
        synchronized (fence) {
            if (token != null && token < highestToken) {
                record(connection, Kind.REFUSED, line);
                return "ERR stale fencing token " + token + " < " + highestToken;
            }
            if (token != null) {
                highestToken = Math.max(highestToken, token);
            }
            record(connection, Kind.LINE, line);
            return null;
        }
    }

    /** The token of a {@code HELLO <instance> <token>} greeting; Telnet negotiation bytes may come first. */
    private static @Nullable Long greetingToken(String line) {
        Matcher greeting = GREETING.matcher(line);
        return greeting.find() ? Long.valueOf(greeting.group(1)) : null;
    }

    private void record(int connection, Kind kind, String text) {
        events.add(new Event(connection, kind, text, System.nanoTime()));
    }

    /** Closes the listening socket and waits until no connection can be accepted any more. */
    private void stopListening() throws IOException, InterruptedException {
        ServerSocket listening = server;
        Thread accepting = acceptor;
        server = null;
        acceptor = null;
        if (listening != null) {
            listening.close();
        }
        if (accepting != null) {
            // The acceptor may hold a connection it accepted just before the close: let it register it.
            accepting.join();
        }
    }

    private void closeConnections() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    private void release() throws IOException {
        Socket reserved = reservation;
        reservation = null;
        if (reserved != null) {
            reserved.close();
        }
    }

    /** Binds {@code port} (0: any free port) on the loopback address without listening on it. */
    private static Socket reserve(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            stopListening();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnections();
        release();
    }
}
