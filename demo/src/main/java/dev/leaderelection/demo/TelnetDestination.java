package dev.leaderelection.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The host that only one instance may hold a session with. It answers every line with {@code echo:
 * <line>}, and reports to the timeline who connects (from the {@code HELLO <instance> <token>}
 * greeting) and when each session ends.
 */
final class TelnetDestination implements AutoCloseable {

    private static final String SOURCE = "telnet";

    private final Timeline timeline;
    private final ServerSocket server;
    /** Open sessions, with the instance that greeted on each ({@code ?} before the greeting). */
    private final Map<Socket, String> open = new ConcurrentHashMap<>();

    private int mostOpenAtOnce;
    private long lastClosedAtMillis = -1;

    TelnetDestination(Timeline timeline) {
        this.timeline = timeline;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot listen on the loopback address", ex);
        }
        Thread acceptor = new Thread(this::acceptAll, "telnet-destination");
        acceptor.setDaemon(true);
        acceptor.start();
        timeline.add(SOURCE, "destination listening on 127.0.0.1:" + port());
    }

    int port() {
        return server.getLocalPort();
    }

    /** The instances that hold an open session right now. */
    List<String> sessions() {
        return List.copyOf(open.values());
    }

    /** When the last session ended, on the timeline's clock; -1 if none has. */
    synchronized long lastClosedAtMillis() {
        return lastClosedAtMillis;
    }

    /** The most sessions that were ever open at the same time. */
    synchronized int mostOpenAtOnce() {
        return mostOpenAtOnce;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // shutting down
        }
        open.keySet().forEach(TelnetDestination::closeQuietly);
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                opened(socket);
                Thread session = new Thread(() -> serve(socket), "telnet-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException ex) {
                return; // closed
            }
        }
    }

    private synchronized void opened(Socket socket) {
        open.put(socket, "?");
        mostOpenAtOnce = Math.max(mostOpenAtOnce, open.size());
    }

    private void serve(Socket socket) {
        String peer = "connection from port " + socket.getPort();
        int lines = 0;
        try (socket) {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines++;
                String greeting = greeting(line);
                if (greeting != null) {
                    peer = greeting.split(" ")[1];
                    open.put(socket, peer);
                    timeline.add(
                            SOURCE, "+ " + peer + " connected: " + greeting + " (open sessions: " + open.size() + ")");
                }
                out.write(("echo: " + line + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (SocketException ex) {
            // reset by the peer: a killed process, or our own close()
        } catch (IOException ex) {
            timeline.add(SOURCE, peer + ": " + ex.getMessage());
        } finally {
            closed(socket);
            timeline.add(
                    SOURCE,
                    "- " + peer + " disconnected after " + lines + (lines == 1 ? " line" : " lines")
                            + " (open sessions: " + open.size() + ")");
        }
    }

    private synchronized void closed(Socket socket) {
        open.remove(socket);
        lastClosedAtMillis = timeline.elapsedMillis();
    }

    /** The {@code HELLO <instance> <token>} part of a line, or {@code null}; Telnet control bytes are dropped. */
    private static @Nullable String greeting(String line) {
        int start = line.indexOf("HELLO ");
        if (start < 0) {
            return null;
        }
        String greeting = line.substring(start).trim();
        return greeting.split(" ").length == 3 ? greeting : null;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }
}
