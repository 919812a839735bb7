package dev.leaderelection.redis;

import dev.leaderelection.ErrorDescriptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Finds out at startup whether Redis lets the connected user run what the store needs, so that a
 * user without a needed permission stops startup with the names of the refused commands rather
 * than failing its first grant or renewal with {@code NOPERM}. It asks with the commands
 * themselves, on probe keys under the key prefix, since {@code ACL DRYRUN} and {@code ACL GETUSER}
 * are administrative commands that a least-privilege user does not have. The release subscription
 * is not probed: without {@code SUBSCRIBE} it logs and retries, and followers wait for the lease to
 * expire instead.
 */
final class PermissionCheck {

    private static final Logger log = LoggerFactory.getLogger(PermissionCheck.class);
    private static final RedisScript<List> PROBE = probe();

    private PermissionCheck() {}

    /**
     * Runs the probes, waiting at most {@code timeout}.
     *
     * @throws IllegalStateException naming every refused command when Redis refuses any; a Redis
     *     that does not answer passes, since the warm-up that follows deals with it
     */
    static void run(
            ReactiveStringRedisTemplate redis,
            String keyPrefix,
            boolean restartGuard,
            @Nullable AcknowledgedWrites acknowledged,
            Scheduler scheduler,
            Duration timeout) {
        RedisKeys.requireValid("key prefix", keyPrefix);
        String tag = "{" + keyPrefix + ":permission-check}";
        List<String> refused = new ArrayList<>();
        if (!ask(
                refused,
                "ping",
                () -> redis.execute(connection -> connection.ping()).then(),
                scheduler,
                timeout)) {
            return;
        }
        ask(
                refused,
                "script|load",
                () -> redis.execute(connection ->
                                connection.scriptingCommands().scriptLoad(bytes(PROBE.getScriptAsString())))
                        .then(),
                scheduler,
                timeout);
        ask(
                refused,
                "eval",
                () -> redis.execute(connection ->
                                connection.scriptingCommands().eval(bytes("return 1"), ReturnType.INTEGER, 0))
                        .then(),
                scheduler,
                timeout);
        List<?> scriptRefusals = new ArrayList<>();
        ask(
                refused,
                "evalsha",
                () -> redis.execute(
                                PROBE,
                                List.of(tag + ":string", tag + ":hash", tag + ":sorted-set"),
                                List.of(tag + ":channel", restartGuard ? "1" : "0"))
                        .next()
                        .doOnNext(reply -> scriptRefusals.addAll((List) reply))
                        .then(),
                scheduler,
                timeout);
        if (acknowledged != null) {
            // WAIT cannot run in a script: asked on the connection that sends it
            ask(refused, "wait", () -> Mono.fromFuture(acknowledged::probe).then(), scheduler, timeout);
        }
        for (int i = 0; i + 1 < scriptRefusals.size(); i += 2) {
            refused.add("'" + scriptRefusals.get(i) + "' in a script (" + scriptRefusals.get(i + 1) + ")");
        }
        if (!refused.isEmpty()) {
            throw new IllegalStateException("Redis refuses commands that leader election needs, for the user this "
                    + "application connects as: " + String.join("; ", refused)
                    + ". Give that user the rule: ACL SETUSER <user> "
                    + RedisAcl.rule(keyPrefix, acknowledged != null)
                    + " (keys and channels under the key prefix '" + keyPrefix + "')"
                    + (refused.stream().anyMatch(refusal -> refusal.startsWith("'info'"))
                            ? "; INFO is for the restart guard: allow it or set leader.election.redis.restart-guard=false"
                            : ""));
        }
    }

    /** As {@link #run}, but logs the refusals as an error instead: for a warm-up after startup. */
    static void runAndLog(
            ReactiveStringRedisTemplate redis,
            String keyPrefix,
            boolean restartGuard,
            @Nullable AcknowledgedWrites acknowledged,
            Scheduler scheduler,
            Duration timeout) {
        try {
            run(redis, keyPrefix, restartGuard, acknowledged, scheduler, timeout);
        } catch (IllegalStateException ex) {
            log.error(ex.getMessage());
        }
    }

    /**
     * Sends one probe; a refusal goes to {@code refused}. Returns whether Redis answered at all: a
     * timeout or a lost connection ends the check quietly.
     */
    private static boolean ask(
            List<String> refused, String command, Supplier<Mono<Void>> call, Scheduler scheduler, Duration timeout) {
        try {
            Mono.defer(call).subscribeOn(scheduler).block(timeout);
            return true;
        } catch (RuntimeException ex) {
            String description = ErrorDescriptions.describe(ex);
            if (isRefusal(ex)) {
                refused.add("'" + command + "' (" + description + ")");
                return true;
            }
            log.debug("Could not check the Redis permissions ({}); skipping the check", description);
            return false;
        }
    }

    /** Whether Redis refused a command for want of an ACL permission ({@code NOPERM}). */
    static boolean isRefusal(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage()).toUpperCase(Locale.ROOT);
            if (message.contains("NOPERM") || message.contains("NO PERMISSIONS")) {
                return true;
            }
        }
        return false;
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static RedisScript<List> probe() {
        try {
            String text = new ClassPathResource("permission-check.lua", PermissionCheck.class)
                    .getContentAsString(StandardCharsets.UTF_8);
            return RedisScript.of(text, List.class);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read the Lua script permission-check.lua", ex);
        }
    }
}
