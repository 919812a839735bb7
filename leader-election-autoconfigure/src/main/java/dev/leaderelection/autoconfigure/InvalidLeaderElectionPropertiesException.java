package dev.leaderelection.autoconfigure;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** {@code leader.election.*} values that cannot work; the message names them and what would be valid. */
public class InvalidLeaderElectionPropertiesException extends IllegalStateException {

    private final List<String> properties;

    InvalidLeaderElectionPropertiesException(String message, List<String> properties, @Nullable Throwable cause) {
        super(message, cause);
        this.properties = List.copyOf(properties);
    }

    /** The full names of the properties at fault, the most likely one to change first. */
    public List<String> properties() {
        return properties;
    }
}
