package dev.leaderelection.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Proves from the destination's history that no two instances ever held it at once:
 *
 * <ul>
 *   <li>once a session has begun, no other instance's session writes another line;
 *   <li>two sessions overlap only while the older one's instance is frozen (SIGSTOP);
 *   <li>fencing tokens never go down, and a new holder has a larger one.
 * </ul>
 *
 * It also measures the leaderless gaps: from one session's close to the next one's greeting; and,
 * after a failover, when the world first saw a new term ({@link #firstNewTerm}).
 */
public final class HistoryChecker {

    /** An interval, on the destination's clock, during which an instance's process was frozen. */
    public record Freeze(String instance, long from, long to) {

        boolean covers(String frozen, long nanos) {
            return instance.equals(frozen) && from <= nanos && nanos <= to;
        }
    }

    /**
     * The outcome of a check.
     *
     * @param violations what broke the promise, in words; empty when it held
     * @param maxLeaderlessGapNanos the longest time between a close and the next greeting
     * @param sessions how many sessions were checked
     */
    public record Verdict(List<String> violations, long maxLeaderlessGapNanos, int sessions) {

        public boolean safe() {
            return violations.isEmpty();
        }
    }

    private HistoryChecker() {}

    /** Checks {@code sessions}, knowing when which instance was frozen. */
    public static Verdict check(List<Session> sessions, List<Freeze> freezes) {
        List<Session> ordered = sessions.stream()
                .filter(session -> session.instance() != null)
                .sorted(Comparator.comparingLong(Session::acceptedAt))
                .toList();
        List<String> violations = new ArrayList<>();
        long maxGap = 0;
        for (int i = 0; i < ordered.size(); i++) {
            Session older = ordered.get(i);
            for (int j = i + 1; j < ordered.size(); j++) {
                checkPair(older, ordered.get(j), freezes, violations);
            }
            if (i + 1 < ordered.size()) {
                Session next = ordered.get(i + 1);
                checkTokens(older, next, violations);
                maxGap = Math.max(maxGap, next.firstWrite() - older.closedAt());
            }
        }
        return new Verdict(List.copyOf(violations), maxGap, ordered.size());
    }

    /**
     * The first session that greeted at or after {@code nanos} with a fencing token above {@code
     * token}: where the world first saw a term granted after that instant, such as a failover.
     */
    public static Optional<Session> firstNewTerm(List<Session> sessions, long nanos, long token) {
        return sessions.stream()
                .filter(session -> session.instance() != null)
                .filter(session -> session.fencingToken() > token && session.firstWrite() >= nanos)
                .min(Comparator.comparingLong(Session::firstWrite));
    }

    private static void checkPair(Session older, Session newer, List<Freeze> freezes, List<String> violations) {
        if (Objects.equals(older.instance(), newer.instance())) {
            return;
        }
        if (older.wroteAtOrAfter(newer.acceptedAt())) {
            violations.add(describe(older) + " wrote after " + describe(newer) + " had connected");
        } else if (older.closedAt() > newer.firstWrite() && !frozen(older.instance(), newer.firstWrite(), freezes)) {
            violations.add(describe(older) + " was still open, and its instance not frozen, when " + describe(newer)
                    + " greeted");
        }
    }

    private static void checkTokens(Session older, Session newer, List<String> violations) {
        boolean sameHolder = Objects.equals(older.instance(), newer.instance());
        if (newer.fencingToken() < older.fencingToken()
                || (!sameHolder && newer.fencingToken() == older.fencingToken())) {
            violations.add("fencing token went from " + older.fencingToken() + " (" + older.instance() + ") to "
                    + newer.fencingToken() + " (" + newer.instance() + ")");
        }
    }

    private static boolean frozen(String instance, long nanos, List<Freeze> freezes) {
        return freezes.stream().anyMatch(freeze -> freeze.covers(instance, nanos));
    }

    private static String describe(Session session) {
        return "session " + session.connection() + " of " + session.instance() + " (token " + session.fencingToken()
                + ")";
    }
}
