package dev.leaderelection.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Telnet destination on {@code 127.0.0.1}: answers every line with {@code echo: <line>} and
 * records every connection, line and close with the time it saw them.
 */
final class TestDestination implements AutoCloseable {

    enum Kind {
        OPENED,
        LINE,
        CLOSED
    }

    /** Something the destination saw on connection {@code connection}, at {@code nanos}. */
    record Event(int connection, Kind kind, String text, long nanos) {}

    private final ServerSocket server;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    TestDestination() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "test-destination");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    /** How many connections were accepted so far. */
    int accepted() {
        return connections.get();
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
        return events.stream()
                .filter(event -> event.connection() == connection && event.kind() == Kind.LINE)
                .findFirst();
    }

    Optional<Event> closedAt(int connection) {
        return events.stream()
                .filter(event -> event.connection() == connection && event.kind() == Kind.CLOSED)
                .findFirst();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
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
            String line;
            while ((line = in.readLine()) != null) {
                record(connection, Kind.LINE, line);
                out.write(("echo: " + line + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // a reset counts as a close
        }
        record(connection, Kind.CLOSED, "");
    }

    private void record(int connection, Kind kind, String text) {
        events.add(new Event(connection, kind, text, System.nanoTime()));
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
