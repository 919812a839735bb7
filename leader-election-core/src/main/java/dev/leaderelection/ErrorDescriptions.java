package dev.leaderelection;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Short, safe descriptions of store errors for logs and status: type and message, with credentials
 * in URIs masked. Stores use it too.
 */
public final class ErrorDescriptions {

    private static final Pattern URI_CREDENTIALS = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^@\\s/]+@");

    private ErrorDescriptions() {}

    /**
     * {@code Type: message} of {@code error}, and of its root cause if it has one, with URI
     * credentials masked; {@code "no answer"} for null.
     */
    public static String describe(@Nullable Throwable error) {
        if (error == null) {
            return "no answer";
        }
        String description = typeAndMessage(error);
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause != error) { // clients wrap the server's own words, such as a script error
            description += " (cause: " + typeAndMessage(cause) + ")";
        }
        return URI_CREDENTIALS.matcher(description).replaceAll("$1****@");
    }

    private static String typeAndMessage(Throwable error) {
        String message = error.getMessage();
        return message == null
                ? error.getClass().getSimpleName()
                : error.getClass().getSimpleName() + ": " + message;
    }
}
