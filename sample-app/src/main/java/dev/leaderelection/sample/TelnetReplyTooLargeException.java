package dev.leaderelection.sample;

import java.io.IOException;

/** The destination sent more than {@code telnet.max-reply-size} before the end of a reply. */
final class TelnetReplyTooLargeException extends IOException {

    TelnetReplyTooLargeException(String message) {
        super(message);
    }
}
