package dev.leaderelection.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.faults.HistoryChecker.Freeze;
import dev.leaderelection.faults.HistoryChecker.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryCheckerTest {

    @Test
    void handOversWithoutOverlapAreSafeAndTheGapIsMeasured() {
        Verdict verdict = HistoryChecker.check(
                List.of(session(1, "a", 10, 0, 100, 5, 50, 90), session(2, "b", 11, 130, 300, 140, 200)), List.of());

        assertThat(verdict.safe()).isTrue();
        assertThat(verdict.maxLeaderlessGapNanos()).isEqualTo(40);
        assertThat(verdict.sessions()).isEqualTo(2);
    }

    @Test
    void anOldHolderWritingAfterTheNextConnectedIsTwoLeaders() {
        Verdict verdict = HistoryChecker.check(
                List.of(session(1, "a", 10, 0, 200, 5, 150), session(2, "b", 11, 100, 300, 110)), List.of());

        assertThat(verdict.violations()).singleElement().asString().contains("session 1 of a (token 10) wrote after");
    }

    @Test
    void anOverlapIsAllowedOnlyWhileTheOldHolderIsFrozenAndSilent() {
        List<Session> overlapping =
                List.of(session(1, "a", 10, 0, 500, 5, 50), session(2, "b", 11, 100, 600, 110, 300));

        assertThat(HistoryChecker.check(overlapping, List.of(new Freeze("a", 60, 450)))
                        .safe())
                .isTrue();
        assertThat(HistoryChecker.check(overlapping, List.of()).violations())
                .singleElement()
                .asString()
                .contains("was still open, and its instance not frozen");
        assertThat(HistoryChecker.check(overlapping, List.of(new Freeze("b", 60, 450)))
                        .safe())
                .isFalse();
    }

    @Test
    void fencingTokensMustGrowWithEveryNewHolder() {
        Verdict lower = HistoryChecker.check(
                List.of(session(1, "a", 10, 0, 100, 5), session(2, "b", 9, 120, 200, 125)), List.of());
        Verdict same = HistoryChecker.check(
                List.of(session(1, "a", 10, 0, 100, 5), session(2, "b", 10, 120, 200, 125)), List.of());
        Verdict reconnect = HistoryChecker.check(
                List.of(session(1, "a", 10, 0, 100, 5), session(2, "a", 10, 120, 200, 125)), List.of());

        assertThat(lower.violations()).singleElement().asString().contains("fencing token went from 10 (a) to 9 (b)");
        assertThat(same.safe()).isFalse();
        assertThat(reconnect.safe()).isTrue();
    }

    @Test
    void sessionsAreReadFromTheDestinationsEvents() {
        List<ObservingDestination.Event> events = List.of(
                new ObservingDestination.Event(0, 1, ObservingDestination.Kind.ACCEPTED, ""),
                new ObservingDestination.Event(5, 1, ObservingDestination.Kind.LINE, "\u00ffHELLO app-1 42"),
                new ObservingDestination.Event(9, 1, ObservingDestination.Kind.LINE, "PING"),
                new ObservingDestination.Event(20, 1, ObservingDestination.Kind.CLOSED, ""),
                new ObservingDestination.Event(30, 2, ObservingDestination.Kind.ACCEPTED, ""));

        assertThat(Session.of(events))
                .containsExactly(
                        new Session(1, "app-1", 42, 0, 20, List.of(5L, 9L)),
                        new Session(2, null, -1, 30, Long.MAX_VALUE, List.of()));
    }

    @Test
    void theFirstNewTermAfterAnInstantIsTheEarliestGreetingWithAHigherToken() {
        List<Session> sessions = List.of(
                session(1, "a", 10, 0, 500, 5, 200, 450),
                session(2, "a", 10, 520, 900, 530),
                session(3, "b", 12, 700, 900, 760),
                session(4, "c", 11, 600, 650, 640),
                new Session(5, null, -1, 610, 620, List.of()));

        assertThat(HistoryChecker.firstNewTerm(sessions, 100, 10))
                .get()
                .extracting(Session::connection)
                .isEqualTo(4);
        assertThat(HistoryChecker.firstNewTerm(sessions, 645, 10))
                .get()
                .extracting(Session::connection)
                .isEqualTo(3);
        assertThat(HistoryChecker.firstNewTerm(sessions, 100, 12)).isEmpty();
    }

    private static Session session(
            int connection, String instance, long token, long accepted, long closed, long... lines) {
        return new Session(
                connection,
                instance,
                token,
                accepted,
                closed,
                java.util.Arrays.stream(lines).boxed().toList());
    }
}
