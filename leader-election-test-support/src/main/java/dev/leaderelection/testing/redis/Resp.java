package dev.leaderelection.testing.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/** Just enough of the Redis protocol to send one command over a raw socket. */
final class Resp {

    /** Long enough for a command that waits, such as a slow script. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private static final Duration PING_TIMEOUT = Duration.ofMillis(200);

    private Resp() {}

    /** Whether the server on {@code port} answers an inline {@code PING} with {@code +PONG}. */
    static boolean answersPing(int port) {
        try (Socket socket = connect(port, PING_TIMEOUT)) {
            socket.getOutputStream().write("PING\r\n".getBytes(UTF_8));
            return "+PONG".equals(readLine(socket.getInputStream()));
        } catch (IOException ex) {
            return false;
        }
    }

    /**
     * Sends one command and returns its reply as text: the value of a simple string, integer or bulk
     * string ({@code null} for a nil reply), or the elements of an array, one per line.
     *
     * @throws IllegalStateException if Redis answers with an error
     */
    static @Nullable String command(int port, Duration timeout, String... args) {
        try (Socket socket = connect(port, timeout)) {
            OutputStream out = socket.getOutputStream();
            out.write(encode(args));
            out.flush();
            return readReply(new BufferedInputStream(socket.getInputStream()));
        } catch (IOException ex) {
            throw new UncheckedIOException("Redis command " + String.join(" ", args) + " failed", ex);
        }
    }

    private static Socket connect(int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(LocalPorts.HOST, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return socket;
        } catch (IOException ex) {
            socket.close();
            throw ex;
        }
    }

    private static byte[] encode(String... args) {
        StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            command.append('$').append(arg.getBytes(UTF_8).length).append("\r\n");
            command.append(arg).append("\r\n");
        }
        return command.toString().getBytes(UTF_8);
    }

    private static @Nullable String readReply(InputStream in) throws IOException {
        String line = readLine(in);
        if (line.isEmpty()) {
            throw new IOException("Empty reply line from Redis");
        }
        String payload = line.substring(1);
        return switch (line.charAt(0)) {
            case '+', ':' -> payload;
            case '-' -> throw new IllegalStateException("Redis replied with an error: " + payload);
            case '$' -> readBulk(in, Integer.parseInt(payload));
            case '*' -> readArray(in, Integer.parseInt(payload));
            default -> throw new IOException("Unexpected reply line from Redis: " + line);
        };
    }

    private static @Nullable String readBulk(InputStream in, int length) throws IOException {
        if (length < 0) {
            return null;
        }
        byte[] value = in.readNBytes(length);
        if (value.length < length) {
            throw new EOFException("Redis closed the connection mid-reply");
        }
        readLine(in);
        return new String(value, UTF_8);
    }

    private static @Nullable String readArray(InputStream in, int size) throws IOException {
        if (size < 0) {
            return null;
        }
        StringJoiner lines = new StringJoiner("\n");
        for (int i = 0; i < size; i++) {
            lines.add(String.valueOf(readReply(in)));
        }
        return lines.toString();
    }

    /** Reads up to the next CRLF, which it drops. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("Redis closed the connection mid-reply");
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, UTF_8);
    }
}
