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
    void theDemoTakesTheClusterThroughACrashAndAnOutageAndCleansUp() {
        Timeline timeline = new Timeline(new PrintStream(printed, true, StandardCharsets.UTF_8));
        Set<Long> childrenBefore = children();

        try (DemoScenario demo = new DemoScenario(DemoOptions.parse(), timeline)) {
            demo.run();
        } finally {
            System.out.print(printed.toString(StandardCharsets.UTF_8));
        }

        TimelineReader reader = new TimelineReader(timeline.entries());
        // 1. one leader, whose session is the only one
        long firstToken = reader.nextGrant();
        String firstLeader = reader.lastSource();
        reader.next("demo", "OK: " + firstLeader + " leads, 2 following; .*");
        reader.sawSinceMark("telnet", greeting(firstLeader, firstToken));
        // 2. kill -9: another instance takes over about one lease later (plus a busy machine's slack)
        reader.next("demo", "killed " + firstLeader + " .*");
        long secondToken = reader.nextGrant();
        String secondLeader = reader.lastSource();
        assertThat(secondLeader).isNotEqualTo(firstLeader);
        assertThat(secondToken).isGreaterThan(firstToken);
        reader.next("demo", "OK: " + secondLeader + " leads, 1 following; .*");
        reader.sawSinceMark("telnet", greeting(secondLeader, secondToken));
        Matcher takeover =
                reader.next("demo", "OK: " + secondLeader + " took over (\\d+) ms after the kill \\(lease 2000 ms\\)");
        assertThat(Long.parseLong(takeover.group(1))).isBetween(1L, 4_000L);
        // 3. Redis stops: the session closes inside the lease, everybody stands by
        reader.next("redis", "stopped \\(kill -9\\)");
        reader.next("telnet", "- " + secondLeader + " disconnected .*");
        Matcher closed = reader.next(
                "demo",
                "OK: all in STANDBY; " + secondLeader + " closed its session (\\d+) ms after Redis stopped, .*");
        assertThat(Long.parseLong(closed.group(1))).isLessThan(2_000L);
        // 4. Redis is back, empty: one leader, one session, a higher fencing token
        reader.next("redis", "started again, empty, on the same port");
        long thirdToken = reader.nextGrant();
        String thirdLeader = reader.lastSource();
        assertThat(thirdToken).isGreaterThan(secondToken);
        reader.next("demo", "OK: " + thirdLeader + " leads, 1 following; .*");
        reader.sawSinceMark("telnet", greeting(thirdLeader, thirdToken));
        Matcher guarded = reader.next("demo", "OK: the first grant came (\\d+) ms after the restart, .*");
        assertThat(Long.parseLong(guarded.group(1))).isGreaterThanOrEqualTo(2_000L);
        // 5. everything stopped
        reader.next("demo", "stopped the instances \\(SIGTERM\\)");
        reader.next("redis", "stopped");
        reader.next("demo", "OK: never more than one Telnet session open; .*");
        assertThat(children()).as("processes the demo started").isSubsetOf(childrenBefore);
    }

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

        private static final String GRANT = ".* -> LEADER  \\(fencing token (\\d+)\\)";

        private final List<Entry> entries;
        private int position = -1;
        private int mark = -1;

        TimelineReader(List<Entry> entries) {
            this.entries = entries;
        }

        /** The next instance seen becoming leader, with its fencing token; sets the mark before it. */
        long nextGrant() {
            mark = position;
            return Long.parseLong(next("app-\\d", GRANT).group(1));
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

        String lastSource() {
            return entries.get(position).source();
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
