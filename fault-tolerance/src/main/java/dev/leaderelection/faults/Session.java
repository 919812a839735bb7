package dev.leaderelection.faults;

import dev.leaderelection.faults.ObservingDestination.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One connection as the destination saw it: who held it (from the {@code HELLO <instance> <token>}
 * greeting), when it was accepted and closed, and when each line arrived. Lines the destination
 * refused for a stale fencing token are not among them, and a connection refused at its greeting
 * is no session at all.
 *
 * @param connection the destination's number for the connection
 * @param instance the instance named by the greeting, or {@code null} before any greeting
 * @param fencingToken the token named by the greeting, or -1
 * @param acceptedAt when it was accepted, in nanoseconds on the destination's clock
 * @param closedAt when it was closed, or {@link Long#MAX_VALUE} while open
 * @param lineTimes when each line arrived, the greeting first
 */
public record Session(
        int connection,
        @Nullable String instance,
        long fencingToken,
        long acceptedAt,
        long closedAt,
        List<Long> lineTimes) {

    /** Whether a line arrived at or after {@code nanos}. */
    public boolean wroteAtOrAfter(long nanos) {
        return lineTimes.stream().anyMatch(time -> time >= nanos);
    }

    /** When the session's holder first wrote (its greeting), or {@code acceptedAt} if it never did. */
    public long firstWrite() {
        return lineTimes.isEmpty() ? acceptedAt : lineTimes.get(0);
    }

    public boolean isOpen() {
        return closedAt == Long.MAX_VALUE;
    }

    /** The sessions in {@code events}, in the order they were accepted. */
    static List<Session> of(List<Event> events) {
        Map<Integer, Builder> sessions = new LinkedHashMap<>();
        for (Event event : events) {
            Builder session = sessions.computeIfAbsent(event.connection(), Builder::new);
            switch (event.kind()) {
                case ACCEPTED -> session.acceptedAt = event.nanos();
                case LINE -> session.line(event);
                case REFUSED -> session.refusedAtGreeting |= session.lineTimes.isEmpty();
                case CLOSED -> session.closedAt = event.nanos();
            }
        }
        return sessions.values().stream()
                .filter(session -> !session.refusedAtGreeting)
                .map(Builder::build)
                .toList();
    }

    private static final class Builder {

        private final int connection;
        private @Nullable String instance;
        private long fencingToken = -1;
        private long acceptedAt;
        private long closedAt = Long.MAX_VALUE;
        private final List<Long> lineTimes = new ArrayList<>();
        private boolean refusedAtGreeting;

        Builder(int connection) {
            this.connection = connection;
        }

        void line(Event event) {
            if (lineTimes.isEmpty()) {
                greeting(event.line());
            }
            lineTimes.add(event.nanos());
        }

        private void greeting(String line) {
            int start = line.indexOf("HELLO "); // Telnet negotiation bytes may come first
            String[] words =
                    start < 0 ? new String[0] : line.substring(start).trim().split(" ");
            if (words.length == 3) {
                instance = words[1];
                fencingToken = Long.parseLong(words[2]);
            }
        }

        Session build() {
            return new Session(connection, instance, fencingToken, acceptedAt, closedAt, List.copyOf(lineTimes));
        }
    }
}
