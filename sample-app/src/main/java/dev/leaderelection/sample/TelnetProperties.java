package dev.leaderelection.sample;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the leader connects, and how.
 *
 * @param host the destination's host
 * @param port the destination's port
 * @param connectTimeout upper bound of one connection attempt
 * @param readTimeout upper bound of the wait for one reply line
 * @param keepAliveInterval pause between two {@code PING} lines
 * @param greeting whether to send {@code HELLO <instanceId> <fencingToken>} after connecting
 * @param reconnect backoff between connection attempts while the destination is down
 */
@ConfigurationProperties("telnet")
public record TelnetProperties(
        @DefaultValue("127.0.0.1") String host,
        @DefaultValue("2323") int port,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("2s") Duration readTimeout,
        @DefaultValue("5s") Duration keepAliveInterval,
        @DefaultValue("true") boolean greeting,
        @DefaultValue Reconnect reconnect) {

    /**
     * Exponential backoff between connection attempts.
     *
     * @param initial wait after the first failed attempt
     * @param max longest wait between attempts
     */
    public record Reconnect(
            @DefaultValue("200ms") Duration initial,
            @DefaultValue("5s") Duration max) {

        /** The wait after {@code previous}: twice as long, at most {@link #max()}. */
        Duration next(Duration previous) {
            Duration doubled = previous.multipliedBy(2);
            return doubled.compareTo(max) > 0 ? max : doubled;
        }
    }
}
