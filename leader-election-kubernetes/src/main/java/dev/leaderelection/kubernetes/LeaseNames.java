package dev.leaderelection.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Names of the Lease objects: the prefix plus the election name where that is already a valid
 * object name, else the name in lower case with other characters replaced by '-' and a hash of the
 * original appended, so that {@code Jobs} and {@code jobs} get Leases of their own.
 */
final class LeaseNames {

    /** Kubernetes object names (DNS subdomains) are at most 253 characters. */
    static final int MAX_NAME_LENGTH = 253;

    private static final Pattern OBJECT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final Pattern PREFIX = Pattern.compile("([a-z0-9][-a-z0-9.]*)?");

    private final String prefix;

    LeaseNames(String prefix) {
        if (!PREFIX.matcher(prefix).matches() || prefix.length() > MAX_NAME_LENGTH / 2) {
            throw new IllegalArgumentException("lease prefix '" + prefix
                    + "' must be lower-case letters, digits, '-' and '.', start with a letter or digit,"
                    + " and be at most " + MAX_NAME_LENGTH / 2 + " characters long");
        }
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    String leaseName(String election) {
        String name = prefix + election;
        if (OBJECT_NAME.matcher(name).matches()) {
            return name;
        }
        String cleaned = election.toLowerCase(Locale.ROOT).replaceAll("[^-a-z0-9.]", "-");
        return prefix + cleaned + "-" + hash(election).substring(0, 10);
    }

    boolean isOurs(String leaseName) {
        return leaseName.startsWith(prefix);
    }

    /** Throws if the election's Lease name would be longer than Kubernetes allows. */
    void check(String election) {
        if (election.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        int room = MAX_NAME_LENGTH - prefix.length() - 11;
        if (leaseName(election).length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("must be at most " + room + " characters long with the lease prefix '"
                    + prefix + "' (a Kubernetes object name has at most " + MAX_NAME_LENGTH + ")");
        }
    }

    static String hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is part of every JDK", ex);
        }
    }
}
