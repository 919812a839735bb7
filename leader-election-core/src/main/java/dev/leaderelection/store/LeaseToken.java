package dev.leaderelection.store;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Proof of one campaign for a lease: the readable instance id plus a random nonce, so that a late
 * renew or release of an earlier term can never act on a later one.
 *
 * <p>{@link #toString()} hides the nonce so tokens can be logged safely.
 */
public record LeaseToken(String instanceId, String nonce) {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char SEPARATOR = ':';

    public LeaseToken {
        if (instanceId.isEmpty()) {
            throw new IllegalArgumentException("instanceId must not be empty");
        }
        if (nonce.isEmpty() || nonce.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("nonce must be non-empty and must not contain '" + SEPARATOR + "'");
        }
    }

    /** A token with a fresh 128-bit random nonce. */
    public static LeaseToken random(String instanceId) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return new LeaseToken(instanceId, HexFormat.of().formatHex(bytes));
    }

    /** The single-string form a store keeps: {@code nonce:instanceId}. */
    public String encoded() {
        return nonce + SEPARATOR + instanceId;
    }

    /** Reads the instance id back from {@link #encoded()}; a value without nonce is taken whole. */
    public static String instanceIdOf(String encoded) {
        int separator = encoded.indexOf(SEPARATOR);
        return separator < 0 ? encoded : encoded.substring(separator + 1);
    }

    @Override
    public String toString() {
        return "LeaseToken[instanceId=" + instanceId + ", nonce=" + nonce.substring(0, 4) + "...]";
    }
}
