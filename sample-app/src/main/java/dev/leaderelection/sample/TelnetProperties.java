package dev.leaderelection.sample;

import java.time.Duration;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where the leader connects, and how.
 *
 * @param host the destination's host
 * @param port the destination's port
 * @param connectTimeout upper bound of one connection attempt
 * @param readTimeout upper bound of the wait for one whole reply (up to the prompt, or the line end
 *     without a prompt), and for each step of the banner and the login
 * @param keepAliveInterval pause between two {@code PING} commands
 * @param greeting whether to send {@code HELLO <instanceId> <fencingToken>} as the first command
 * @param prompt regular expression that the destination's prompt matches, at the end of the last
 *     line received (for example {@code [>$#] ?$}): a reply is everything after the echo of the
 *     command up to the prompt, and the banner is everything up to the first prompt; without it, a
 *     reply is one line and nothing is read before the first command
 * @param terminalType terminal type announced when the destination asks for it (Telnet TTYPE)
 * @param maxReplySize largest reply, echo and prompt included, read before giving up with an error
 * @param reconnect backoff between connection attempts while the destination is down
 * @param login optional login after connecting; needs {@code prompt}
 */
@ConfigurationProperties("telnet")
public record TelnetProperties(
        @DefaultValue("127.0.0.1") String host,
        @DefaultValue("2323") int port,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("2s") Duration readTimeout,
        @DefaultValue("5s") Duration keepAliveInterval,
        @DefaultValue("true") boolean greeting,
        @Nullable String prompt,
        @DefaultValue("dumb") String terminalType,
        @DefaultValue("64KB") DataSize maxReplySize,
        @DefaultValue Reconnect reconnect,
        @DefaultValue Login login) {

    public TelnetProperties {
        prompt = (prompt == null || prompt.isEmpty()) ? null : prompt;
        compile("telnet.prompt", prompt);
        if (maxReplySize.toBytes() < 1 || maxReplySize.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "telnet.max-reply-size must be between 1B and 2GB, was " + maxReplySize.toBytes() + "B");
        }
        if (login.enabled() && prompt == null) {
            throw new IllegalArgumentException(
                    "telnet.login.user needs telnet.prompt: the prompt tells a successful login from a failed one");
        }
    }

    int maxReplyBytes() {
        return Math.toIntExact(maxReplySize.toBytes());
    }

    /**
     * Login after the banner: the user name at the user prompt, the password at the password
     * prompt; the command prompt then means success, another user or password prompt failure.
     *
     * @param user user name; without it, no login
     * @param password password; never logged
     * @param userPrompt regular expression that the user prompt matches, at the end of the last line
     * @param passwordPrompt regular expression that the password prompt matches, at the end of the
     *     last line
     */
    public record Login(
            @Nullable String user,
            @Nullable String password,

            @DefaultValue("(?i)(login|username|user name): ?$")
            String userPrompt,

            @DefaultValue("(?i)password: ?$") String passwordPrompt) {

        public Login {
            compile("telnet.login.user-prompt", userPrompt);
            compile("telnet.login.password-prompt", passwordPrompt);
        }

        /** Whether a login is configured. */
        boolean enabled() {
            return user != null && !user.isEmpty();
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return "Login[user=" + user + ", password=" + (password == null ? "null" : "******") + ", userPrompt="
                    + userPrompt + ", passwordPrompt=" + passwordPrompt + "]";
        }
    }

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

    private static @Nullable Pattern compile(String property, @Nullable String regex) {
        if (regex == null) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    property + " must be a regular expression, was '" + regex + "': " + e.getDescription(), e);
        }
    }
}
