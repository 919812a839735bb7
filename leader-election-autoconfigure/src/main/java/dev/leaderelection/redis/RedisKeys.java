package dev.leaderelection.redis;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The store keys of one election. All share the hash tag {@code {prefix:election}} so that the
 * scripts touch a single cluster slot.
 */
record RedisKeys(String lease, String epoch, String releaseChannel) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:\\-]+");

    static RedisKeys of(String keyPrefix, String election) {
        requireValid("key prefix", keyPrefix);
        requireValid("election name", election);
        String tag = "{" + keyPrefix + ":" + election + "}";
        return new RedisKeys(tag + ":lease", tag + ":epoch", tag + ":released");
    }

    List<String> leaseAndEpoch() {
        return List.of(lease, epoch);
    }

    /** Whether {@code value} can be used as a key prefix or election name. */
    static boolean isValid(String value) {
        return VALID.matcher(value).matches();
    }

    static void requireValid(String what, String value) {
        if (!isValid(value)) {
            throw new IllegalArgumentException(
                    what + " '" + value + "' must be non-empty and use only letters, digits, '.', '_', ':' and '-'");
        }
    }
}
