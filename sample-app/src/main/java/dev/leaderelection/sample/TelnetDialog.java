package dev.leaderelection.sample;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What the gateway says to the destination and how it reads the answers: the banner and the login
 * after connecting, then one command and its reply at a time.
 *
 * <p>Framing: with {@code telnet.prompt}, a reply is everything up to the prompt, less the echo of
 * the command (the first line, when it equals the command: a server that echoes although asked
 * not to); without, a reply is one line, the echo skipped the same way. Either way the reply must
 * end within {@code telnet.read-timeout} and {@code telnet.max-reply-size}. Prompts are matched at
 * the end of the last line received, so a reply line that ends like the prompt, cut by a pause in
 * the middle, would end a reply early: pick a prompt pattern that no reply line ends with.
 *
 * <p>Every line goes out through {@link Writer}, which the gateway guards with the term check:
 * the login and the greeting are writes like any command.
 */
final class TelnetDialog {

    /** Writes one line on a connection, if the connection's term is still the current one. */
    @FunctionalInterface
    interface Writer {
        void write(TelnetConnection connection, String line) throws IOException;
    }

    private final TelnetProperties properties;
    private final Writer writer;
    private final @Nullable Pattern prompt;
    private final Pattern userPrompt;
    private final Pattern passwordPrompt;

    TelnetDialog(TelnetProperties properties, Writer writer) {
        this.properties = properties;
        this.writer = writer;
        String commandPrompt = properties.prompt();
        this.prompt = commandPrompt == null ? null : atLineEnd(commandPrompt);
        this.userPrompt = atLineEnd(properties.login().userPrompt());
        this.passwordPrompt = atLineEnd(properties.login().passwordPrompt());
    }

    /** Refuses a command that is missing or is not exactly one line of printable text. */
    static String checkCommand(@Nullable String line) {
        if (line == null) {
            throw new InvalidTelnetCommandException("The command needs a 'line'");
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (Character.isISOControl(c)
                    || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                throw new InvalidTelnetCommandException(String.format(
                        "The command must be one line without control characters; found U+%04X at index %d",
                        (int) c, i));
            }
        }
        return line;
    }

    /** After connecting: discards the banner up to the first prompt, logging in first if configured. */
    void open(TelnetConnection connection) throws IOException {
        Pattern commandPrompt = prompt;
        if (commandPrompt == null) {
            return;
        }
        TelnetProperties.Login login = properties.login();
        String user = login.user();
        if (user == null || user.isEmpty()) {
            read(connection, List.of(commandPrompt), "the first prompt");
            return;
        }
        try {
            read(connection, List.of(userPrompt), "the user prompt");
            writer.write(connection, user);
            String password = login.password();
            if (password != null) {
                read(connection, List.of(passwordPrompt), "the password prompt");
                writer.write(connection, password);
            }
            // A failed login asks again: those prompts come first, so that a failure never passes for success.
            int answer = read(connection, List.of(userPrompt, passwordPrompt, commandPrompt), "the prompt")
                    .prompt();
            if (answer != 2) {
                throw new TelnetLoginException("Telnet login as '" + user + "' failed: the destination asked for the "
                        + (answer == 0 ? "user" : "password") + " again");
            }
        } catch (TelnetLoginException e) {
            throw e;
        } catch (IOException e) {
            throw new TelnetLoginException("Telnet login as '" + user + "' failed: " + e.getMessage());
        }
    }

    /** Sends {@code command} and returns the reply: lines joined by LF, without the echo or the prompt. */
    String exchange(TelnetConnection connection, String command) throws IOException {
        long deadline = deadline();
        writer.write(connection, command);
        Pattern commandPrompt = prompt;
        if (commandPrompt == null) {
            String line = connection
                    .readUntil(List.of(), deadline, maxBytes(), "the reply line")
                    .text();
            if (line.equals(command)) {
                line = connection
                        .readUntil(List.of(), deadline, maxBytes(), "the reply line")
                        .text();
            }
            return line;
        }
        String text = connection
                .readUntil(List.of(commandPrompt), deadline, maxBytes(), "the prompt after the reply")
                .text();
        if (text.equals(command) || text.startsWith(command + "\n")) {
            text = text.substring(Math.min(text.length(), command.length() + 1));
        }
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    private TelnetConnection.Received read(TelnetConnection connection, List<Pattern> prompts, String awaited)
            throws IOException {
        return connection.readUntil(prompts, deadline(), maxBytes(), awaited);
    }

    private long deadline() {
        return System.nanoTime() + properties.readTimeout().toNanos();
    }

    private int maxBytes() {
        return properties.maxReplyBytes();
    }

    /** {@code regex}, matching only where the text ends: a prompt is the end of what was received. */
    private static Pattern atLineEnd(String regex) {
        return Pattern.compile("(?:" + regex + ")\\z");
    }
}
