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

/**
 * The Telnet destination of the suite and its single observer of real time: it records, with its
 * own monotonic clock, each connection's accept and close and every line written, and answers
 * every line with {@code echo: <line>}.
 */
public final class ObservingDestination implements AutoCloseable {

    /** What happened on which connection. */
    public enum Kind {
        ACCEPTED,
        LINE,
        CLOSED
    }

    /** One observation, at {@code nanos} on the destination's clock ({@link System#nanoTime()}). */
    public record Event(long nanos, int connection, Kind kind, String line) {}

    private final ServerSocket server;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

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

    /** The sessions observed so far. */
    public List<Session> sessions() {
        return Session.of(events());
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
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                events.add(new Event(System.nanoTime(), connection, Kind.LINE, line));
                out.write(("echo: " + line + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException ex) {
            // reset by the peer, such as a killed process
        } finally {
            events.add(new Event(System.nanoTime(), connection, Kind.CLOSED, ""));
        }
    }
}
