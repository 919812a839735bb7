package dev.leaderelection.sample;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.telnet.EchoOptionHandler;
import org.apache.commons.net.telnet.InvalidTelnetOptionException;
import org.apache.commons.net.telnet.SuppressGAOptionHandler;
import org.apache.commons.net.telnet.TelnetClient;
import org.apache.commons.net.telnet.TerminalTypeOptionHandler;
import org.jspecify.annotations.Nullable;

/**
 * One Telnet connection, opened for one term of leadership: it remembers the fencing token of that
 * term. Lines are UTF-8 text; it sends CR LF and reads LF as the line end, dropping CR and NUL.
 *
 * <p>Options: it answers and never opens a negotiation, so that a destination that does not speak
 * Telnet sees only the lines: it agrees to suppress go-ahead both ways, refuses the destination's
 * offer to echo (a server that echoes anyway is handled by {@link TelnetDialog}), announces
 * {@code terminalType} when asked, and refuses every other option (commons-net answers those).
 */
final class TelnetConnection {

    /** Prompts are matched against at most this many bytes at the end of the last line. */
    private static final int PROMPT_WINDOW = 1024;
    /**
     * The socket read timeout of commons-net's reader thread: a read waiting for data wakes up this
     * often to look at its own deadline.
     */
    private static final int TICK_MILLIS = 50;

    private final long fencingToken;
    private final TelnetClient client = new TelnetClient();
    private @Nullable InputStream input;
    private @Nullable OutputStream output;

    TelnetConnection(long fencingToken, String terminalType) {
        this.fencingToken = fencingToken;
        // commons-net's reader thread answers option negotiation as it arrives and queues only
        // data, so available() counts data bytes: a prompt is looked for when none is queued.
        client.setDefaultTimeout(TICK_MILLIS);
        try {
            client.addOptionHandler(new SuppressGAOptionHandler(false, false, true, true));
            client.addOptionHandler(new EchoOptionHandler(false, false, false, false));
            client.addOptionHandler(new TerminalTypeOptionHandler(terminalType, false, false, true, false));
        } catch (InvalidTelnetOptionException | IOException e) {
            throw new IllegalStateException("Cannot register the Telnet option handlers", e);
        }
    }

    /** The fencing token of the term this connection belongs to. */
    long fencingToken() {
        return fencingToken;
    }

    void connect(String host, int port, Duration connectTimeout) throws IOException {
        client.setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()));
        client.connect(host, port);
        input = client.getInputStream();
        output = client.getOutputStream();
    }

    void sendLine(String line) throws IOException {
        OutputStream out = requireOpen(output);
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * What was read up to a terminator.
     *
     * @param text everything before the terminator (the line end, or the prompt), lines ended by LF
     * @param prompt the index of the prompt that matched, or -1 for a line end
     */
    record Received(String text, int prompt) {}

    /**
     * Reads until the last line received ends in a match of one of {@code prompts}, the first in
     * list order winning; with no prompts, until a line end.
     *
     * @param deadline {@link System#nanoTime()} by which the terminator must have arrived
     * @param maxBytes most bytes to read, terminator included
     * @param awaited what is awaited, for the error messages
     * @throws SocketTimeoutException if the deadline passes first
     * @throws TelnetReplyTooLargeException if {@code maxBytes} are read first
     * @throws EOFException if the destination closes the connection first
     */
    Received readUntil(List<Pattern> prompts, long deadline, int maxBytes, String awaited) throws IOException {
        InputStream in = requireOpen(input);
        byte[] buffer = new byte[Math.min(maxBytes, 256)];
        int size = 0;
        int lineStart = 0;
        while (true) {
            if (size == maxBytes) {
                throw new TelnetReplyTooLargeException(
                        "Read telnet.max-reply-size (" + maxBytes + " bytes) without " + awaited);
            }
            int next = read(in, deadline, awaited);
            if (next == '\r' || next == 0) {
                continue;
            }
            if (size == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(maxBytes, size * 2));
            }
            buffer[size++] = (byte) next;
            if (next == '\n') {
                if (prompts.isEmpty()) {
                    return new Received(new String(buffer, 0, size - 1, StandardCharsets.UTF_8), -1);
                }
                lineStart = size;
            } else if (!prompts.isEmpty() && in.available() == 0) {
                Received prompted = matchPrompt(prompts, buffer, lineStart, size);
                if (prompted != null) {
                    return prompted;
                }
            }
        }
    }

    /** The text before the first of {@code prompts} that ends the last line, if one does. */
    private static @Nullable Received matchPrompt(List<Pattern> prompts, byte[] buffer, int lineStart, int size) {
        int from = Math.max(lineStart, size - PROMPT_WINDOW);
        while (from > lineStart && (buffer[from] & 0xC0) == 0x80) {
            from--; // start on a character, not inside one
        }
        String tail = new String(buffer, from, size - from, StandardCharsets.UTF_8);
        for (int i = 0; i < prompts.size(); i++) {
            Matcher matcher = prompts.get(i).matcher(tail);
            if (matcher.find()) {
                String before =
                        new String(buffer, 0, from, StandardCharsets.UTF_8) + tail.substring(0, matcher.start());
                return new Received(before, i);
            }
        }
        return null;
    }

    /** The next data byte; a timeout of the reader thread's socket read is a tick to look at the deadline. */
    private static int read(InputStream in, long deadline, String awaited) throws IOException {
        while (true) {
            if (deadline - System.nanoTime() <= 0) {
                throw new SocketTimeoutException("Timed out waiting for " + awaited + " (telnet.read-timeout)");
            }
            int next;
            try {
                next = in.read();
            } catch (SocketTimeoutException tick) {
                continue;
            }
            if (next < 0) {
                throw new EOFException("The destination closed the connection while we waited for " + awaited);
            }
            return next;
        }
    }

    /** Closes the socket at once; a thread blocked in a read fails. Never throws. */
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
