package dev.leaderelection.redis;

import static dev.leaderelection.redis.ServerIdentity.replid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.leaderelection.testing.redis.RedisServerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.core.io.ClassPathResource;

/**
 * The restart guard on servers whose {@code INFO} lacks fields Redis has. The acquire script runs
 * on a real Redis, with its one {@code INFO} call wrapped to drop those fields from the replies:
 * DragonFly, for one, reports no {@code run_id}.
 */
class RedisGuardIdentityTests {

    static final String INFO_CALL = "  return redis.pcall('INFO', section)\n";
    static final String NO_RUN_ID = "string.gsub(reply, '\\r\\nrun_id:%x+', '')";
    static final String NO_REPLID = "string.gsub(reply, '\\r\\nmaster_replid:%x+', '')";
    static final String TAG = "{identity:orders}";
    static final String OTHER_ID = "0123456789abcdef0123456789abcdef01234567";

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    @Test
    void withoutRunIdTheGuardKnowsTheServerByItsReplicationHistoryAlone() throws IOException {
        String script = acquireScriptWithInfo(NO_RUN_ID);

        assertThat(acquire(script, "aaaa:node-a")).isEqualTo("0\n(redis restarted)\n2000");
        assertThat(redis.command("HGET", TAG + ":server", "replid")).isEqualTo(replid(redis.server()));
        assertThat(redis.command("HEXISTS", TAG + ":server", "run_id")).isEqualTo("0");

        redis.command("HDEL", TAG + ":server", "until"); // the hold has passed
        assertThat(acquire(script, "aaaa:node-a")).startsWith("1\n");

        // A promotion since the record: another replication history.
        redis.command("DEL", TAG + ":lease", TAG + ":term");
        redis.command("HSET", TAG + ":server", "replid", OTHER_ID);
        assertThat(acquire(script, "bbbb:node-b")).isEqualTo("0\n(redis failed over)\n2000");
    }

    @Test
    void withNeitherRunIdNorReplicationHistoryTheGuardRefusesWithAClearErrorAndWritesNothing() throws IOException {
        String script = acquireScriptWithInfo(NO_RUN_ID + " reply = " + NO_REPLID);

        assertThatIllegalStateException()
                .isThrownBy(() -> acquire(script, "aaaa:node-a"))
                .withMessageContaining("the restart guard needs INFO server and INFO replication (no run_id in INFO "
                        + "server and no master_replid in INFO replication)")
                .withMessageContaining("leader.election.redis.restart-guard=false");
        assertThat(redis.command("EXISTS", TAG + ":lease", TAG + ":term", TAG + ":epoch", TAG + ":server"))
                .isEqualTo("0");
    }

    /** Runs the script as the store does, with a 2 s lease and the guard on; the reply, one element a line. */
    private static String acquire(String script, String token) {
        return redis.command(
                "EVAL",
                script,
                "5",
                TAG + ":lease",
                TAG + ":term",
                TAG + ":epoch",
                TAG + ":server",
                TAG + ":candidates",
                token,
                "2000",
                "1",
                TAG + ":released");
    }

    /** The acquire script, its INFO replies passed through {@code filter} (Lua statements on {@code reply}). */
    private static String acquireScriptWithInfo(String filter) throws IOException {
        String script =
                new ClassPathResource("acquire.lua", RedisLeaseStore.class).getContentAsString(StandardCharsets.UTF_8);
        assertThat(script).as("the script reads INFO in one place").contains(INFO_CALL);
        return script.replace(
                INFO_CALL,
                "  local reply = redis.pcall('INFO', section)\n"
                        + "  if type(reply) == 'string' then reply = " + filter + " end\n"
                        + "  return reply\n");
    }
}
