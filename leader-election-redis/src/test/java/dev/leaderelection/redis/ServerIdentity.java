package dev.leaderelection.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.testing.redis.RedisServer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the restart guard reads from a server, and the record it keeps of it, for tests. */
final class ServerIdentity {

    private ServerIdentity() {}

    static String runId(RedisServer server) {
        return infoField(server, "server", "run_id");
    }

    static String replid(RedisServer server) {
        return infoField(server, "replication", "master_replid");
    }

    static long uptimeSeconds(RedisServer server) {
        return Long.parseLong(infoField(server, "server", "uptime_in_seconds"));
    }

    /** Writes the record that an earlier acquire on {@code server} would have left: no hold to come. */
    static void recordedAsSeen(RedisServer server, String serverKey) {
        server.command("HSET", serverKey, "run_id", runId(server), "replid", replid(server));
    }

    private static String infoField(RedisServer server, String section, String field) {
        Matcher matcher =
                Pattern.compile("\\n" + field + ":(\\w+)").matcher(String.valueOf(server.command("INFO", section)));
        assertThat(matcher.find()).as("%s in INFO %s", field, section).isTrue();
        return matcher.group(1);
    }
}
