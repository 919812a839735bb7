package dev.leaderelection.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leaderelection.file.ElectorProcess.Event;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVMs elect through one directory, as the processes of one machine do: a killed leader, a
 * frozen leader, the directory deleted under them, two elections side by side. Each checks that no
 * two terms of an election overlap, from the grants and revocations the processes print.
 */
class FileLeaseStoreProcessTests {

    private static final Duration LEASE = Duration.ofSeconds(1);

    /** Room for JVMs starting and working on a busy machine. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path temporary;

    private final List<ElectorProcess> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (ElectorProcess process : processes) {
            process.close();
        }
    }

    @Test
    void aKilledLeadersLockEndsWithItsProcessSoAnotherTakesOverBeforeTheLeaseRunsOut() throws Exception {
        Duration lease = Duration.ofSeconds(3);
        Path directory = existingDirectory();
        launch(3, directory, lease, "crash");
        List<Long> takeovers = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            ElectorProcess leader = awaitOneLeader("crash");
            leader.kill();
            ElectorProcess next = awaitOneLeader("crash");
            long grantedAt = lastGrant(next, "crash").micros();
            takeovers.add((grantedAt - leader.killedAt()) / 1000);
        }
        System.out.printf(
                "FIGURE file store takeover after kill -9 of the leader (lease %d ms): %s ms%n",
                lease.toMillis(), takeovers);
        assertThat(takeovers)
                .as("taken over when the OS lock went with the process, not when the lease ran out")
                .allSatisfy(millis -> assertThat(millis).isLessThan(lease.toMillis() / 2));
        assertNoOverlappingTerms("crash");
    }

    @Test
    void aFrozenLeaderKeepsItsLockSoNobodyTakesOverAndAfterItResumesThereIsStillOneLeader() throws Exception {
        Path directory = existingDirectory();
        launch(3, directory, LEASE, "frozen");
        ElectorProcess leader = awaitOneLeader("frozen");

        leader.freeze();
        await().during(LEASE.multipliedBy(3))
                .atMost(LEASE.multipliedBy(3).plus(BOUND))
                .until(() -> leaders("frozen").isEmpty());
        leader.thaw();

        ElectorProcess after = awaitOneLeader("frozen");
        await().during(LEASE)
                .atMost(LEASE.plus(BOUND))
                .until(() -> leaders("frozen").equals(List.of(after)));
        System.out.printf(
                "FIGURE file store after a %d ms SIGSTOP of the leader: leader %s (was %s)%n",
                (leader.thawedAt() - leader.frozenAt()) / 1000, after.name(), leader.name());
        assertNoOverlappingTerms("frozen");
    }

    @Test
    void theDirectoryDeletedUnderTheProcessesNeverMakesTwoLeaders() throws Exception {
        Path directory = existingDirectory();
        launch(3, directory, LEASE, "deleted");
        ElectorProcess leader = awaitOneLeader("deleted");
        long before = Objects.requireNonNull(leader.leading("deleted"));

        // Moved away in one step and then deleted: the name no longer leads to the files.
        long deletedAt = StoreDirectory.nowMicros();
        Path gone = Files.move(directory, temporary.resolve("gone"));
        StoreDirectory.deleteRecursively(gone);

        ElectorProcess next =
                await().atMost(BOUND).until(() -> oneLeaderGrantedAfter("deleted", deletedAt), Objects::nonNull);
        assertThat(next.leading("deleted")).isGreaterThan(before);
        assertThat(Files.exists(directory.resolve(StoreDirectory.MARKER)))
                .as("re-created by a store, with its marker")
                .isTrue();
        long firstGrantAfter = lastGrant(next, "deleted").micros();
        System.out.printf(
                "FIGURE file store first grant after the directory was deleted (lease %d ms): %d ms%n",
                LEASE.toMillis(), (firstGrantAfter - deletedAt) / 1000);
        assertNoOverlappingTerms("deleted");
    }

    @Test
    void aHolderWhoseElectorIsStuckLosesTheLeaseAfterItsDurationThoughItsProcessLives() throws Exception {
        Path directory = existingDirectory();
        ElectorProcess stuck = ElectorProcess.launch(StuckHolderMain.class, "stuck", directory, LEASE, "stuck");
        processes.add(stuck);
        await().atMost(BOUND).until(() -> stuck.leading("stuck") != null);
        long grantedAt = lastGrant(stuck, "stuck").micros();
        // the holder's store wrote the lease's end before its process reported the grant
        long leaseEnd = Objects.requireNonNull(LeaseRecord.read(directory.resolve("stuck.lease")))
                .expiresMicros();

        try (FileLeaseStore here = new FileLeaseStore(directory)) {
            LeaseToken token = LeaseToken.random("here");
            AtomicReference<AcquireResult> answer = new AtomicReference<>();
            await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).until(() -> {
                answer.set(here.acquire("stuck", token, LEASE)
                        .toCompletableFuture()
                        .join());
                return answer.get() instanceof AcquireResult.Granted;
            });
            long takenAt = StoreDirectory.nowMicros();
            assertThat(((AcquireResult.Granted) answer.get()).fencingToken())
                    .isGreaterThan(Objects.requireNonNull(stuck.leading("stuck")));
            assertThat(takenAt)
                    .as("the stuck holder's JVM freed the lock when its lease ran out, not before")
                    .isGreaterThanOrEqualTo(leaseEnd);
            System.out.printf(
                    "FIGURE file store lease of a stuck elector in a live process taken after %d ms (lease %d ms)%n",
                    (takenAt - grantedAt) / 1000, LEASE.toMillis());
        }
    }

    @Test
    void twoElectionsInOneDirectoryEachHaveOneLeaderOfTheirOwn() throws Exception {
        Path directory = existingDirectory();
        launch(2, directory, LEASE, "alpha,beta");
        ElectorProcess alpha = awaitOneLeader("alpha");
        awaitOneLeader("beta");

        alpha.kill();

        ElectorProcess nextAlpha = awaitOneLeader("alpha");
        assertThat(nextAlpha).isNotSameAs(alpha);
        assertThat(awaitOneLeader("beta")).isNotSameAs(alpha);
        assertNoOverlappingTerms("alpha");
        assertNoOverlappingTerms("beta");
    }

    private Path existingDirectory() throws IOException {
        return Files.createDirectories(temporary.resolve("elections"));
    }

    private void launch(int count, Path directory, Duration lease, String elections) {
        for (int i = 1; i <= count; i++) {
            processes.add(ElectorProcess.launch("p" + i, directory, lease, elections));
        }
        await().atMost(BOUND).until(() -> processes.stream().allMatch(ElectorProcess::started));
    }

    private List<ElectorProcess> leaders(String election) {
        return processes.stream()
                .filter(process -> process.leading(election) != null)
                .toList();
    }

    private ElectorProcess awaitOneLeader(String election) {
        AtomicReference<ElectorProcess> leader = new AtomicReference<>();
        await("one leader of " + election).atMost(BOUND).until(() -> {
            List<ElectorProcess> now = leaders(election);
            leader.set(now.size() == 1 ? now.get(0) : null);
            return leader.get() != null;
        });
        return leader.get();
    }

    private ElectorProcess oneLeaderGrantedAfter(String election, long micros) {
        List<ElectorProcess> now = leaders(election);
        return now.size() == 1 && lastGrant(now.get(0), election).micros() > micros ? now.get(0) : null;
    }

    private static Event lastGrant(ElectorProcess process, String election) {
        List<Event> grants = process.events(election).stream()
                .filter(event -> event.kind().equals("GRANTED"))
                .toList();
        return grants.get(grants.size() - 1);
    }

    /**
     * Every term ends before the next one starts, and fencing tokens grow with the terms. A term
     * ends at its revocation, at the kill of its process, or when its process was frozen if the
     * revocation came after the thaw: a frozen process runs no code, and after a freeze longer than
     * its lease its guard says no.
     */
    private void assertNoOverlappingTerms(String election) {
        record Term(String process, long token, long start, long end) {}
        List<Term> terms = new ArrayList<>();
        for (ElectorProcess process : processes) {
            Event granted = null;
            for (Event event : process.events(election)) {
                if (event.kind().equals("GRANTED")) {
                    granted = event;
                } else if (event.kind().equals("REVOKED") && granted != null) {
                    long end = event.micros();
                    if (process.frozenAt() > granted.micros() && process.thawedAt() != 0 && end >= process.thawedAt()) {
                        end = process.frozenAt();
                    }
                    terms.add(new Term(process.name(), Long.parseLong(granted.detail()), granted.micros(), end));
                    granted = null;
                }
            }
            if (granted != null) {
                long end = process.killedAt() != 0 ? process.killedAt() : Long.MAX_VALUE;
                terms.add(new Term(process.name(), Long.parseLong(granted.detail()), granted.micros(), end));
            }
        }
        terms.sort(Comparator.comparingLong(Term::start));
        for (int i = 1; i < terms.size(); i++) {
            Term previous = terms.get(i - 1);
            Term next = terms.get(i);
            assertThat(previous.end())
                    .as("%s ended before %s began", previous, next)
                    .isLessThanOrEqualTo(next.start());
            assertThat(next.token())
                    .as("fencing tokens of %s then %s", previous, next)
                    .isGreaterThan(previous.token());
        }
    }
}
