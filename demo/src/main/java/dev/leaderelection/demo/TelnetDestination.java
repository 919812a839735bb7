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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The host that only one instance may hold a session with. It answers every line with {@code echo:
 * <line>}, and reports to the timeline who connects (from the {@code HELLO <instance> <token>}
 * greeting) and when each session ends.
 *
 * <p>It enforces fencing: once a token has greeted, a greeting with a lower token, and every further
 * line of a session whose token is lower, is refused with {@code ERR stale fencing token <token> <
 * <highest>} and its connection closed. Equal tokens (the same term reconnecting) are accepted.
 */
final class TelnetDestination implements AutoCloseable {

    private static final String SOURCE = "telnet";
    private static final Pattern GREETING = Pattern.compile("HELLO (\\S+) (-?\\d{1,18})(?=\\s*$)");

    private final Timeline timeline;
    private final ServerSocket server;
    /** Open sessions, with the instance that greeted on each ({@code ?} before the greeting). */
    private final Map<Socket, String> open = new ConcurrentHashMap<>();

    private int mostOpenAtOnce;
    private long lastClosedAtMillis = -1;
    private long highestToken = Long.MIN_VALUE;
    private int refused;

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

    /** The most sessions that were ever open at the same time, counted whenever one greets. */
    synchronized int mostOpenAtOnce() {
        return mostOpenAtOnce;
    }

    /** How many lines were refused for a stale fencing token. */
    synchronized int refused() {
        return refused;
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
                open.put(socket, "?");
                Thread session = new Thread(() -> serve(socket), "telnet-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException ex) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        String peer = "connection from port " + socket.getPort();
        Long token = null;
        int lines = 0;
        try (socket) {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                Matcher greeting = GREETING.matcher(line); // Telnet control bytes may come first
                boolean greets = greeting.find();
                if (greets) {
                    peer = greeting.group(1);
                    token = Long.valueOf(greeting.group(2));
                }
                String refusal = admit(token);
                if (refusal != null) {
                    timeline.add(SOURCE, "x " + peer + " refused: " + refusal.substring("ERR ".length()));
                    out.write((refusal + "\r\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    break;
                }
                lines++;
                if (greets) {
                    timeline.add(
                            SOURCE,
                            "+ " + peer + " connected: " + greeting.group() + " (open sessions: "
                                    + greeted(socket, peer) + ")");
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

    /**
     * Refuses a line of a session greeted with {@code token} ({@code null}: not greeted) if a higher
     * token has greeted; otherwise raises the highest token seen.
     *
     * @return the refusal to answer, or {@code null} if the line is accepted
     */
    private synchronized @Nullable String admit(@Nullable Long token) {
        if (token == null) {
            return null;
        }
        if (token < highestToken) {
            refused++;
            return "ERR stale fencing token " + token + " < " + highestToken;
        }
        highestToken = token;
        return null;
    }

    /** Names the holder of {@code socket}'s session; returns how many sessions are open. */
    private synchronized int greeted(Socket socket, String peer) {
        open.put(socket, peer);
        mostOpenAtOnce = Math.max(mostOpenAtOnce, open.size());
        return open.size();
    }

    private synchronized void closed(Socket socket) {
        open.remove(socket);
        lastClosedAtMillis = timeline.elapsedMillis();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }
}
