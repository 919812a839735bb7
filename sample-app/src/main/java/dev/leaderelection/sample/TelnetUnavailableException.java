package dev.leaderelection.sample;

/** This instance leads, but has no working connection to the destination right now. */
public class TelnetUnavailableException extends RuntimeException {

    public TelnetUnavailableException(String message) {
        super(message);
    }

    public TelnetUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
