package dev.leaderelection.redis;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The store keys of one election. All share the hash tag {@code {prefix:election}} so that the
 * scripts touch a single cluster slot.
 *
 * @param lease the key that holds the holder's token, with the lease's expiry
 * @param term the key that holds the holder's token too, with the same expiry; it keeps others out
 *     when the lease key alone is deleted or evicted, until the holder must have stepped down
 * @param epoch the key that holds the last fencing token
 * @param server the hash that names the Redis server process ({@code run_id}) and replication
 *     history ({@code replid}) that last found the lease free, and the end of the hold that began
 *     then ({@code until}, server time in ms), if the data turned out to be new to that process
 * @param releaseChannel the pub/sub channel on which releases and grants are announced
 * @param candidates the sorted set of the instances that campaigned lately: member {@code
 *     <lease ms>:<instance id>}, score the end of its listing (two leases after its last acquire or
 *     renew, server time in ms)
 */
public record RedisKeys(
        String lease, String term, String epoch, String server, String releaseChannel, String candidates) {

    private static final String LEASE_SUFFIX = ":lease";
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9._:\\-]+");

    /** What a {@linkplain #isValidName valid} name is, worded to follow the name. */
    public static final String NAME_RULE = "must be non-empty and use only letters, digits, '.', '_', ':' and '-'";

    /** The keys of {@code election} under {@code keyPrefix}; both must be {@linkplain #isValidName valid}. */
    public static RedisKeys of(String keyPrefix, String election) {
        requireValid("key prefix", keyPrefix);
        requireValid("election name", election);
        String tag = "{" + keyPrefix + ":" + election + "}";
        return new RedisKeys(
                tag + LEASE_SUFFIX,
                tag + ":term",
                tag + ":epoch",
                tag + ":server",
                tag + ":released",
                tag + ":candidates");
    }

    /** Whether {@code value} can be a key prefix or election name: letters, digits, '.', '_', ':', '-'. */
    public static boolean isValidName(String value) {
        return VALID_NAME.matcher(value).matches();
    }

    /**
     * The presence channel of {@code instanceId}: the store's pub/sub link subscribes to it while
     * that instance polls the election, so that {@code PUBSUB CHANNELS} lists it as a candidate
     * without a write per poll.
     */
    String presenceChannel(String instanceId) {
        return presencePrefix() + instanceId;
    }

    /** What every presence channel of the election starts with; no glob character is in it. */
    String presencePrefix() {
        return lease.substring(0, lease.length() - LEASE_SUFFIX.length()) + ":candidate:";
    }

    List<String> leaseAndTerm() {
        return List.of(lease, term);
    }

    List<String> leaseTermEpochServerAndCandidates() {
        return List.of(lease, term, epoch, server, candidates);
    }

    List<String> leaseTermAndCandidates() {
        return List.of(lease, term, candidates);
    }

    static void requireValid(String what, String value) {
        if (!isValidName(value)) {
            throw new IllegalArgumentException(what + " '" + value + "' " + NAME_RULE);
        }
    }
}
