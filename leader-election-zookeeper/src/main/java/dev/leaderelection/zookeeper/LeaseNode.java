package dev.leaderelection.zookeeper;

import dev.leaderelection.store.LeaseToken;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The data of a lease node: the lease as its holder's last acquire or renewal asked for it, the
 * fencing token of the grant and the holder's encoded token, one per line ({@code
 * v1\n<ttl millis>\n<fencing token>\n<nonce:instanceId>}). The node's {@code mtime} tells when that
 * call reached the server.
 */
record LeaseNode(long ttlMillis, long fencingToken, String encodedToken) {

    private static final String VERSION = "v1";

    static LeaseNode of(LeaseToken token, Duration ttl, long fencingToken) {
        return new LeaseNode(wholeMillis(ttl), fencingToken, token.encoded());
    }

    byte[] bytes() {
        return (VERSION + "\n" + ttlMillis + "\n" + fencingToken + "\n" + encodedToken)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a node's data; {@code null} for data this store did not write (never taken as ours). */
    static @Nullable LeaseNode parse(byte @Nullable [] data) {
        if (data == null) {
            return null;
        }
        String[] lines = new String(data, StandardCharsets.UTF_8).split("\n", 4);
        if (lines.length != 4 || !lines[0].equals(VERSION)) {
            return null;
        }
        try {
            return new LeaseNode(Long.parseLong(lines[1]), Long.parseLong(lines[2]), lines[3]);
        } catch (NumberFormatException ex) {
            return null;
        }
    }

    boolean heldBy(LeaseToken token) {
        return encodedToken.equals(token.encoded());
    }

    String instanceId() {
        return LeaseToken.instanceIdOf(encodedToken);
    }

    LeaseNode renewed(Duration ttl) {
        return new LeaseNode(wholeMillis(ttl), fencingToken, encodedToken);
    }

    /** What is left of this lease at {@code serverNow}, counted from the node's {@code mtime}. */
    Duration remaining(long mtime, long serverNow) {
        return Duration.ofMillis(Math.max(0, Math.min(ttlMillis, mtime + ttlMillis - serverNow)));
    }

    boolean expired(long mtime, long serverNow) {
        return mtime + ttlMillis <= serverNow;
    }

    /** Rounded up: a lease kept on the server must never be shorter than the one the elector counts on. */
    static long wholeMillis(Duration ttl) {
        long millis = ttl.toMillis();
        return ttl.toNanosPart() % 1_000_000 == 0 ? millis : millis + 1;
    }
}
