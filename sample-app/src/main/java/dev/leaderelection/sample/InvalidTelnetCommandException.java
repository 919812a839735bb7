package dev.leaderelection.sample;

/** A command that cannot be sent as one Telnet line: missing, or holding a line break or a control character. */
public class InvalidTelnetCommandException extends IllegalArgumentException {

    public InvalidTelnetCommandException(String message) {
        super(message);
    }
}
