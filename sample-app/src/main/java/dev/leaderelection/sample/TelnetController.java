package dev.leaderelection.sample;

import dev.leaderelection.NotLeaderException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /telnet/commands}: sends one line through the leader's connection. */
@RestController
public class TelnetController {

    private final TelnetGateway gateway;

    public TelnetController(TelnetGateway gateway) {
        this.gateway = gateway;
    }

    /** One line to send. */
    public record Command(@Nullable String line) {}

    /** The destination's reply: one line, or with {@code telnet.prompt} the lines up to the prompt. */
    public record Reply(String reply) {}

    @PostMapping("/telnet/commands")
    public Reply send(@RequestBody Command command) {
        // Checked here too, so that a follower also answers 400 to a command it could never send.
        return new Reply(gateway.send(TelnetDialog.checkCommand(command.line())));
    }

    /** A command that is not one line of printable text. */
    @ExceptionHandler(InvalidTelnetCommandException.class)
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    public Map<String, @Nullable Object> invalid(InvalidTelnetCommandException e) {
        return error(e.getMessage(), null);
    }

    /** A follower touches no socket: it names the leader instead. */
    @ExceptionHandler(NotLeaderException.class)
    @ResponseStatus(HttpStatus.SERVICE_UNAVAILABLE)
    public Map<String, @Nullable Object> notLeader(NotLeaderException e) {
        return error("not leader", e.leaderId());
    }

    /** The leader has no working connection right now; it keeps reconnecting. */
    @ExceptionHandler(TelnetUnavailableException.class)
    @ResponseStatus(HttpStatus.BAD_GATEWAY)
    public Map<String, @Nullable Object> unavailable(TelnetUnavailableException e) {
        return error(e.getMessage(), null);
    }

    private static Map<String, @Nullable Object> error(@Nullable String error, @Nullable String leader) {
        Map<String, @Nullable Object> body = new HashMap<>();
        body.put("error", error);
        body.put("leader", leader);
        return body;
    }
}
