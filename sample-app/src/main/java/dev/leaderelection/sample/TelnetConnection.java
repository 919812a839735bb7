package dev.leaderelection.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.commons.net.telnet.TelnetClient;
import org.jspecify.annotations.Nullable;

/**
 * One Telnet connection, opened for one term of leadership: it remembers the fencing token of that
 * term. Lines are UTF-8 text ended by CR LF.
 */
final class TelnetConnection {

    private final long fencingToken;
    private final TelnetClient client = new TelnetClient();
    private @Nullable BufferedReader reader;
    private @Nullable OutputStream output;

    TelnetConnection(long fencingToken) {
        this.fencingToken = fencingToken;
        // Read on the caller's thread, so that the socket's read timeout applies to readLine().
        client.setReaderThread(false);
    }

    /** The fencing token of the term this connection belongs to. */
    long fencingToken() {
        return fencingToken;
    }

    void connect(String host, int port, Duration connectTimeout, Duration readTimeout) throws IOException {
        client.setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()));
        client.connect(host, port);
        client.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
        reader = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        output = client.getOutputStream();
    }

    void sendLine(String line) throws IOException {
        OutputStream out = requireOpen(output);
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next line from the destination; fails after the read timeout or if the destination closed. */
    String readLine() throws IOException {
        String line = requireOpen(reader).readLine();
        if (line == null) {
            throw new IOException("The destination closed the connection");
        }
        return line;
    }

    /** Closes the socket at once; a thread blocked in {@link #readLine()} fails. Never throws. */
    void close() {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
        } catch (IOException | RuntimeException ignored) {
            // closing: nothing left to do
        }
    }

    private static <T> T requireOpen(@Nullable T stream) throws IOException {
        if (stream == null) {
            throw new IOException("Not connected");
        }
        return stream;
    }
}
