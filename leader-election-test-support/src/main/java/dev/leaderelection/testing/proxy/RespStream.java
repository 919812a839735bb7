package dev.leaderelection.testing.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Follows one direction of a Redis connection (RESP2 or RESP3) byte by byte, just enough to tell
 * where each top-level message ends: it counts the requests or replies (push messages and attributes
 * are not replies), notices subscription commands, and gives up ({@link #opaque()}) at the first
 * byte that is not RESP, such as an inline command.
 */
final class RespStream {

    private static final int NAME_LIMIT = 32;

    /** Element counts still to read, innermost aggregate first. */
    private final Deque<Long> aggregates = new ArrayDeque<>();

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final ByteArrayOutputStream name = new ByteArrayOutputStream();
    private long bulkLeft = -1; // bytes of a bulk payload and its CRLF still to read, or -1
    private boolean capturing;
    private byte topType;
    private long messages;
    private boolean subscriber;
    private boolean opaque;

    /** Reads {@code length} bytes of {@code bytes}, from the start. */
    void feed(byte[] bytes, int length) {
        for (int i = 0; i < length && !opaque; i++) {
            feed(bytes[i]);
        }
    }

    /** Complete top-level messages so far, without push messages and attributes. */
    long messages() {
        return messages;
    }

    /** Whether every byte so far belongs to a complete message. */
    boolean atBoundary() {
        return !opaque && aggregates.isEmpty() && bulkLeft < 0 && line.size() == 0;
    }

    /** Whether a request so far was a (P|S)SUBSCRIBE, whose answers come as pushes. */
    boolean subscriber() {
        return subscriber;
    }

    /** Whether the bytes are not RESP; nothing is counted from then on. */
    boolean opaque() {
        return opaque;
    }

    private void feed(byte b) {
        if (bulkLeft >= 0) {
            if (capturing && bulkLeft > 2 && name.size() < NAME_LIMIT) {
                name.write(b);
            }
            if (--bulkLeft == 0) {
                bulkLeft = -1;
                valueDone();
            }
            return;
        }
        if (b != '\n') {
            line.write(b);
            return;
        }
        byte[] header = line.toByteArray();
        line.reset();
        int end = header.length > 0 && header[header.length - 1] == '\r' ? header.length - 1 : header.length;
        if (end == 0) {
            opaque = true;
            return;
        }
        header(header[0], new String(header, 1, end - 1, StandardCharsets.US_ASCII));
    }

    private void header(byte type, String rest) {
        if (aggregates.isEmpty()) {
            topType = type;
        }
        boolean commandName = topType == '*' && aggregates.size() == 1 && name.size() == 0 && !capturing;
        switch (type) {
            case '+', '-', ':', '_', '#', ',', '(' -> valueDone();
            case '$', '!', '=' -> {
                long size = number(rest);
                if (size < 0) {
                    valueDone();
                } else {
                    capturing = commandName;
                    bulkLeft = size + 2;
                    if (bulkLeft == 2 && capturing) {
                        capturing = false; // an empty name
                    }
                }
            }
            case '*', '~', '>' -> aggregate(number(rest));
            case '%', '|' -> aggregate(2 * number(rest));
            default -> opaque = true;
        }
    }

    private void aggregate(long elements) {
        if (elements <= 0) {
            valueDone();
        } else {
            aggregates.push(elements);
        }
    }

    private void valueDone() {
        if (capturing) {
            capturing = false;
            String command = name.toString(StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
            subscriber |= command.endsWith("SUBSCRIBE");
        }
        while (!aggregates.isEmpty()) {
            long left = aggregates.pop() - 1;
            if (left > 0) {
                aggregates.push(left);
                return;
            }
        }
        if (topType != '>' && topType != '|') {
            messages++;
        }
        name.reset();
    }

    private long number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException ex) {
            opaque = true;
            return 0;
        }
    }
}
