package dev.leaderelection.sample;

import java.io.IOException;

/** The destination did not accept the login; the message never holds the password. */
final class TelnetLoginException extends IOException {

    TelnetLoginException(String message) {
        super(message);
    }
}
