package dev.leaderelection.etcd;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The keys of one election under a store's prefix {@code p}, election {@code e}:
 *
 * <ul>
 *   <li>{@code p e/leader}: the holder's token ({@code nonce:instanceId}), bound to the holder's etcd
 *       lease; its {@code mod_revision} is the grant's revision;
 *   <li>{@code p e/term}: a copy bound to the same lease, that keeps others out when an operator
 *       deletes the leader key while its holder may still lead;
 *   <li>{@code p e/ttl}: the holder's etcd lease TTL in whole seconds, bound to the same lease: a
 *       follower reads it in the acquire's transaction as the most its holder has left, where a
 *       {@code LeaseTimeToLive} would cost a request of its own;
 *   <li>{@code p e/record}: the election's record, the base of its fencing tokens (microseconds of
 *       the client's clock when the record was written), never bound to a lease;
 *   <li>{@code p e/candidates/<instanceId>}: {@code <millis>/<ttl millis>}, the caller's wall clock at
 *       its last acquire or renew and that call's TTL, bound to a long candidate lease ({@link
 *       CandidateLeases}); listed for two TTLs after that call.
 * </ul>
 */
record EtcdKeys(
        String election,
        ByteSequence leader,
        ByteSequence term,
        ByteSequence ttl,
        ByteSequence record,
        ByteSequence candidatesPrefix,
        String candidatesPrefixText) {

    static final String NAME_RULE = "must consist of letters, digits, '.', '_', ':' and '-' only";

    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9._:-]+");

    static final String LEADER = "leader";
    static final String TERM = "term";
    static final String TTL = "ttl";
    static final String RECORD = "record";
    static final String CANDIDATES = "candidates/";

    static EtcdKeys of(String prefix, String election) {
        String base = prefix + election + "/";
        return new EtcdKeys(
                election,
                bytes(base + LEADER),
                bytes(base + TERM),
                bytes(base + TTL),
                bytes(base + RECORD),
                bytes(base + CANDIDATES),
                base + CANDIDATES);
    }

    static boolean isValidName(String election) {
        return VALID_NAME.matcher(election).matches();
    }

    ByteSequence candidate(String instanceId) {
        return bytes(candidatesPrefixText + instanceId);
    }

    /** The election and the key's role for a key under {@code prefix}, or {@code null} for any other key. */
    static @Nullable Parsed parse(String prefix, ByteSequence key) {
        String text = key.toString(StandardCharsets.UTF_8);
        if (!text.startsWith(prefix)) {
            return null;
        }
        String rest = text.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return null;
        }
        return new Parsed(rest.substring(0, slash), rest.substring(slash + 1));
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    /** A key of the store: its election and the rest ({@code leader}, {@code term}, ...). */
    record Parsed(String election, String role) {}
}
