package dev.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlottedTimerTests {

    private static final long MS = 1_000_000;

    private final Executor workers = Runnable::run;
    private final SlottedTimer timer = new SlottedTimer(workers, "test-timer");

    @AfterEach
    void close() {
        timer.close();
    }

    @Test
    void tasksRunInDueOrderAndNeverBeforeTheirDelay() throws InterruptedException {
        // Each task's due time lies between [earliest, latest]: the clock read before and after the call.
        List<long[]> dueBoundsInRunOrder = new CopyOnWriteArrayList<>();
        List<Long> lateness = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(3);
        for (long delayMs : new long[] {30, 10, 20}) {
            long[] bounds = new long[2];
            bounds[0] = System.nanoTime() + delayMs * MS;
            timer.schedule(
                    () -> {
                        lateness.add(System.nanoTime() - bounds[0]);
                        dueBoundsInRunOrder.add(bounds);
                        all.countDown();
                    },
                    delayMs * MS);
            bounds[1] = System.nanoTime() + delayMs * MS;
        }

        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        // A task that ran first was not due (a slot) after one that ran later.
        for (int i = 1; i < dueBoundsInRunOrder.size(); i++) {
            long earlierRunEarliestDue = dueBoundsInRunOrder.get(i - 1)[0];
            long laterRunLatestDue = dueBoundsInRunOrder.get(i)[1];
            assertThat(earlierRunEarliestDue).isLessThanOrEqualTo(laterRunLatestDue + SlottedTimer.SLOT_NANOS);
        }
        assertThat(lateness).allSatisfy(late -> assertThat(late).isNotNegative());
    }

    @Test
    void aTaskDueSoonerThanTheOneTheTimerWaitsForRunsFirst() throws InterruptedException {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch soon = new CountDownLatch(1);
        timer.schedule(() -> ran.add("later"), TimeUnit.SECONDS.toNanos(30));

        timer.schedule(
                () -> {
                    ran.add("sooner");
                    soon.countDown();
                },
                10 * MS);

        assertThat(soon.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("sooner");
    }

    @Test
    void aCancelledTaskNeverRuns() throws InterruptedException {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch after = new CountDownLatch(1);
        timer.schedule(() -> ran.add("cancelled"), 500 * MS).cancel();
        timer.schedule(after::countDown, 600 * MS);

        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).isEmpty();
    }

    @Test
    void tasksDueTogetherRunTogetherAndZeroOrNegativeDelaysRunAtOnce() throws InterruptedException {
        CountDownLatch all = new CountDownLatch(100);
        for (int i = 0; i < 100; i++) {
            timer.schedule(all::countDown, i % 2 == 0 ? 0 : -5 * MS);
        }

        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void afterCloseNothingRunsAndNewTasksAreRefused() {
        List<String> ran = new CopyOnWriteArrayList<>();
        timer.schedule(() -> ran.add("pending"), TimeUnit.SECONDS.toNanos(10));

        timer.close();

        assertThatExceptionOfType(RejectedExecutionException.class)
                .isThrownBy(() -> timer.schedule(() -> ran.add("late"), 0));
        assertThat(ran).isEmpty();
    }
}
