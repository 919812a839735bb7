package dev.leaderelection.zookeeper;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where an election lives under the store's root path {@code r}: {@code r/<election>/lease} (the
 * holder's ephemeral node), {@code r/<election>/fencing} (persistent: the last fencing token),
 * {@code r/<election>/clock} (persistent: written to read the server's clock) and {@code
 * r/<election>/candidates/<instance id>} (one ephemeral node per campaigning instance).
 */
record ElectionPaths(String lease, String fencing, String clock, String candidates) {

    static final String NAME_RULE =
            "must be 1 to 200 characters of letters, digits, '.', '_', ':' and '-', and not '.' or '..'";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

    static ElectionPaths of(String rootPath, String election) {
        String base = rootPath + "/" + election;
        return new ElectionPaths(base + "/lease", base + "/fencing", base + "/clock", base + "/candidates");
    }

    static boolean isValidName(String election) {
        return NAME.matcher(election).matches() && !election.equals(".") && !election.equals("..");
    }

    /** A root path: absolute, no trailing '/', no empty, '.' or '..' segment. */
    static String requireValidRoot(String rootPath) {
        if (!rootPath.startsWith("/") || rootPath.length() < 2 || rootPath.endsWith("/")) {
            throw new IllegalArgumentException("root path '" + rootPath
                    + "' must start with '/', name at least one node and not end with '/', such as /leader-election");
        }
        for (String segment : rootPath.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.equals("zookeeper")) {
                throw new IllegalArgumentException(
                        "root path '" + rootPath + "' must not have empty, '.', '..' or 'zookeeper' segments");
            }
        }
        return rootPath;
    }

    String candidate(String instanceId) {
        return candidates + "/" + URLEncoder.encode(instanceId, StandardCharsets.UTF_8);
    }

    static String instanceIdOfCandidate(String nodeName) {
        return URLDecoder.decode(nodeName, StandardCharsets.UTF_8);
    }
}
