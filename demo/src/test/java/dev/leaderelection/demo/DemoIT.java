package dev.leaderelection.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.demo.Timeline.Entry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Runs the whole demo, as {@code ./demo.sh} does, and checks its timeline step by step, so that the
 * README's first command cannot rot.
 */
class DemoIT {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @Test
    void theDemoTakesTheClusterThroughARelinquishACrashAndAnOutageAndCleansUp() {
        Timeline timeline = new Timeline(new PrintStream(printed, true, StandardCharsets.UTF_8));
        Set<Long> childrenBefore = children();

        try (DemoScenario demo = new DemoScenario(DemoOptions.parse(), timeline)) {
            demo.run();
        } finally {
            System.out.print(printed.toString(StandardCharsets.UTF_8));
        }

        TimelineReader reader = new TimelineReader(timeline.entries());
        // 1. one leader, whose session is the only one (leadership may have rotated while the
        //    instances started: the leader is the one the demo names); the group view lists all three
        Leader first = reader.nextLeader(2);
        reader.next(
                "demo",
                "candidates \\(GET /actuator/leader on " + first.name()
                        + "\\): app-1 (LEADER|FOLLOWER), app-2 (LEADER|FOLLOWER), app-3 (LEADER|FOLLOWER)");
        assertThat(reader.lastMessage()).contains(first.name() + " LEADER");
        // 2. the leader relinquishes: RELINQUISHED in its log, its session closed before the next one
        //    opened, and another instance leads with a fresh fencing token
        Leader second = reader.nextLeader(2);
        assertThat(second.name()).isNotEqualTo(first.name());
        assertThat(second.token()).isGreaterThan(first.token());
        reader.sawSinceMark(
                first.name(), "log: Leadership revoked: .* fencingToken=" + first.token() + " reason=RELINQUISHED .*");
        reader.sawInOrderSinceMark(
                "telnet", "- " + first.name() + " disconnected .*", greeting(second.name(), second.token()));
        reader.next(
                "demo",
                "OK: " + first.name() + " relinquished; " + second.name() + " took over with fencing token "
                        + second.token() + " > " + first.token() + "; .*");
        // 3. kill -9: another instance takes over about one lease later (plus a busy machine's slack)
        reader.next("demo", "killed " + second.name() + " .*");
        Leader third = reader.nextLeader(1);
        assertThat(third.name()).isNotEqualTo(second.name());
        assertThat(third.token()).isGreaterThan(second.token());
        Matcher takeover =
                reader.next("demo", "OK: " + third.name() + " took over (\\d+) ms after the kill \\(lease 2000 ms\\)");
        assertThat(Long.parseLong(takeover.group(1))).isBetween(1L, 4_000L);
        // 4. Redis stops: the session closes inside the lease, everybody stands by
        reader.next("redis", "stopped \\(kill -9\\)");
        reader.next("telnet", "- " + third.name() + " disconnected .*");
        Matcher closed = reader.next(
                "demo",
                "OK: all in STANDBY; " + third.name() + " closed its session (\\d+) ms after Redis stopped, .*");
        assertThat(Long.parseLong(closed.group(1))).isLessThan(2_000L);
        // 5. Redis is back, empty: one leader, one session, a higher fencing token
        reader.next("redis", "started again, empty, on the same port");
        Leader fourth = reader.nextLeader(1);
        assertThat(fourth.token()).isGreaterThan(third.token());
        Matcher guarded = reader.next("demo", "OK: the first grant came (\\d+) ms after the restart, .*");
        assertThat(Long.parseLong(guarded.group(1))).isGreaterThanOrEqualTo(2_000L);
        // 6. everything stopped
        reader.next("demo", "stopped the instances \\(SIGTERM\\)");
        reader.next("redis", "stopped");
        reader.next("demo", "OK: never more than one Telnet session open; .*");
        assertThat(children()).as("processes the demo started").isSubsetOf(childrenBefore);
    }

    /** An instance the demo saw lead, with its fencing token. */
    private record Leader(String name, long token) {}

    private static String greeting(String instance, long token) {
        return "\\+ " + instance + " connected: HELLO " + instance + " " + token + " .*";
    }

    private static Set<Long> children() {
        return ProcessHandle.current()
                .children()
                .filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    /** Finds timeline entries in order: each match must come after the one before. */
    private static final class TimelineReader {

        private final List<Entry> entries;
        private int position = -1;
        private int mark = -1;

        TimelineReader(List<Entry> entries) {
            this.entries = entries;
        }

        /**
         * The next leader the demo confirms, with {@code following} followers: sets the mark before
         * it and checks that the destination saw that leader greet with its token since the last match.
         */
        Leader nextLeader(int following) {
            mark = position;
            Matcher ok =
                    next("demo", "OK: (app-\\d) leads \\(fencing token (\\d+)\\), " + following + " following; .*");
            Leader leader = new Leader(ok.group(1), Long.parseLong(ok.group(2)));
            sawSinceMark("telnet", greeting(leader.name(), leader.token()));
            return leader;
        }

        /** Checks that {@code first}, then {@code then}, appear from {@code source} after the mark, up to here. */
        void sawInOrderSinceMark(String source, String first, String then) {
            for (int i = mark + 1; i <= position; i++) {
                if (matches(entries.get(i), source, first) != null) {
                    for (int j = i + 1; j <= position; j++) {
                        if (matches(entries.get(j), source, then) != null) {
                            return;
                        }
                    }
                }
            }
            throw new AssertionError("No entries '" + source + " " + first + "' then '" + source + " " + then
                    + "' between entries " + mark + " and " + position + " of the timeline:\n" + describe());
        }

        /** Checks that an entry exists after the mark and up to the current position, in any order. */
        void sawSinceMark(String source, String message) {
            for (int i = mark + 1; i <= position; i++) {
                if (matches(entries.get(i), source, message) != null) {
                    return;
                }
            }
            throw new AssertionError("No entry '" + source + " " + message + "' between entries " + mark + " and "
                    + position + " of the timeline:\n" + describe());
        }

        Matcher next(String source, String message) {
            for (int i = position + 1; i < entries.size(); i++) {
                Matcher matcher = matches(entries.get(i), source, message);
                if (matcher != null) {
                    position = i;
                    return matcher;
                }
            }
            throw new AssertionError("No entry '" + source + " " + message + "' after entry " + position
                    + " of the timeline:\n" + describe());
        }

        private static @Nullable Matcher matches(Entry entry, String source, String message) {
            Matcher matcher = Pattern.compile(message).matcher(entry.message());
            return entry.source().matches(source) && matcher.matches() ? matcher : null;
        }

        String lastMessage() {
            return entries.get(position).message();
        }

        private String describe() {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < entries.size(); i++) {
                text.append(i).append(": ").append(entries.get(i)).append('\n');
            }
            return text.toString();
        }
    }
}
