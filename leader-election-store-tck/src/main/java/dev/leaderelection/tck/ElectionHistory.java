package dev.leaderelection.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.Leadership;
import dev.leaderelection.LeadershipListener;
import dev.leaderelection.RevocationReason;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the electors of one test reported, stamped with one monotonic clock: every term as an
 * interval, so a test with real electors on a store can prove that no two terms ever overlapped.
 * Register {@link #listenerFor(String)} on each elector before it starts.
 */
public final class ElectionHistory {

    /** One term of one instance; {@code endedAt} is {@code null} while it lasts. */
    public record Term(
            String instance,
            long fencingToken,
            long grantedAt,
            @Nullable Long endedAt,
            @Nullable RevocationReason reason,
            long deadline) {
        private Term endedNow(@Nullable RevocationReason why, long finalDeadline) {
            return new Term(instance, fencingToken, grantedAt, System.nanoTime(), why, finalDeadline);
        }

        /** When the instance stopped acting as leader: an open term lasts until now. */
        public long end(long now) {
            return endedAt != null ? Math.min(endedAt, deadline) : now;
        }
    }

    private final List<Term> terms = new ArrayList<>();

    /** The listener that records the terms of {@code instance}. */
    public LeadershipListener listenerFor(String instance) {
        return new LeadershipListener() {
            @Override
            public void granted(Leadership leadership) {
                record(new Term(
                        instance,
                        leadership.fencingToken(),
                        System.nanoTime(),
                        null,
                        null,
                        leadership.deadlineNanos()));
            }

            @Override
            public void revoked(Leadership leadership, RevocationReason reason) {
                end(instance, leadership, reason);
            }
        };
    }

    /** Every term so far, in the order of their grants. */
    public synchronized List<Term> terms() {
        return List.copyOf(terms);
    }

    /** The latest term; fails if there is none. */
    public synchronized Term lastTerm() {
        assertThat(terms).isNotEmpty();
        return terms.get(terms.size() - 1);
    }

    /** Marks the open term of a crashed instance as ended now: a dead process does no work. */
    public synchronized void crashed(String instance) {
        for (int i = 0; i < terms.size(); i++) {
            Term term = terms.get(i);
            if (term.instance().equals(instance) && term.endedAt() == null) {
                terms.set(i, term.endedNow(null, term.deadline()));
            }
        }
    }

    /** No two terms overlap in time, and fencing tokens grow with every grant. */
    public synchronized void assertOneLeaderAtATime() {
        long now = System.nanoTime();
        for (int i = 1; i < terms.size(); i++) {
            Term previous = terms.get(i - 1);
            Term next = terms.get(i);
            assertThat(next.fencingToken()).as("fencing tokens grow").isGreaterThan(previous.fencingToken());
            for (int j = 0; j < i; j++) {
                Term earlier = terms.get(j);
                assertThat(earlier.end(now))
                        .as(
                                "term %s of %s ends before term %s of %s starts",
                                earlier.fencingToken(), earlier.instance(), next.fencingToken(), next.instance())
                        .isLessThanOrEqualTo(next.grantedAt());
            }
        }
    }

    private synchronized void record(Term term) {
        terms.add(term);
    }

    private synchronized void end(String instance, Leadership leadership, RevocationReason reason) {
        for (int i = terms.size() - 1; i >= 0; i--) {
            Term term = terms.get(i);
            if (term.instance().equals(instance) && term.fencingToken() == leadership.fencingToken()) {
                terms.set(i, term.endedNow(reason, leadership.deadlineNanos()));
                return;
            }
        }
        throw new AssertionError("revoked a term that was never granted: " + leadership);
    }
}
