package dev.leaderelection.redis;

import java.util.List;

/**
 * The least-privilege Redis ACL for the store: only the commands it sends, on keys and channels
 * under its key prefix. For {@code ACL SETUSER <user> on ><password> <rule>} or a line of an ACL
 * file.
 */
public final class RedisAcl {

    /**
     * What the store sends: the connection check, the scripts (loaded at startup, run by SHA, sent
     * whole when a server lacks them), the commands the scripts run, and the release subscription.
     * {@code INFO} is for the restart guard; {@code ZADD}, {@code ZRANGEBYSCORE} and {@code
     * ZREMRANGEBYSCORE} keep the candidates set; {@code PUBSUB CHANNELS} lists the followers that
     * announce themselves on their presence channels instead.
     */
    public static final List<String> COMMANDS = List.of(
            "ping",
            "script|load",
            "evalsha",
            "eval",
            "get",
            "set",
            "del",
            "exists",
            "incr",
            "pexpire",
            "pttl",
            "time",
            "hmget",
            "hset",
            "hdel",
            "zadd",
            "zrangebyscore",
            "zremrangebyscore",
            "info",
            "publish",
            "subscribe",
            "unsubscribe",
            "pubsub|channels");

    /** The command a store sends after each grant and renewal when replicas must acknowledge them. */
    public static final String WAIT = "wait";

    private RedisAcl() {}

    /**
     * The rule for a store with {@code keyPrefix}: no command but {@link #COMMANDS}, no key but
     * those of the hash tags {@code {keyPrefix:*}}, no channel but the store's own.
     *
     * @throws IllegalArgumentException if the prefix has characters that would break the key layout
     */
    public static String rule(String keyPrefix) {
        return rule(keyPrefix, false);
    }

    /**
     * The rule for a store with {@code keyPrefix}, with {@code +wait} as well when {@code
     * replicaAcknowledgement}: a store whose grants and renewals replicas must acknowledge (see
     * {@link RedisLeaseStore.Builder#minReplicasAcked}) sends {@code WAIT} after each.
     *
     * @throws IllegalArgumentException if the prefix has characters that would break the key layout
     */
    public static String rule(String keyPrefix, boolean replicaAcknowledgement) {
        RedisKeys.requireValid("key prefix", keyPrefix);
        StringBuilder rule = new StringBuilder("resetkeys resetchannels ~{")
                .append(keyPrefix)
                .append(":* &{")
                .append(keyPrefix)
                .append(":* -@all");
        COMMANDS.forEach(command -> rule.append(" +").append(command));
        if (replicaAcknowledgement) {
            rule.append(" +").append(WAIT);
        }
        return rule.toString();
    }
}
