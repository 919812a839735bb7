package dev.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ElectionTimingsTests {

    @Test
    void defaultsFollowTheLease() {
        ElectionTimings timings = ElectionTimings.builder()
                .leaseDuration(Duration.ofSeconds(2))
                .renewInterval(Duration.ofMillis(500))
                .build();

        assertThat(timings.driftMargin()).isEqualTo(Duration.ofMillis(25));
        assertThat(timings.yieldCooldown()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void rejectALeaseThatLeavesNoRoomForARenewal() {
        assertThatExceptionOfType(InvalidTimingsException.class)
                .isThrownBy(() -> ElectionTimings.builder()
                        .leaseDuration(Duration.ofSeconds(4))
                        .renewInterval(Duration.ofSeconds(3))
                        .build())
                .withMessage("leaseDuration (4s) must be greater than renewInterval (3s) + operationTimeout (1s) + "
                        + "driftMargin (45ms) = 4045ms, so that a renewal can finish before the lease ends")
                .satisfies(ex -> assertThat(ex.settings())
                        .containsExactly("leaseDuration", "renewInterval", "operationTimeout", "driftMargin"));
    }

    @Test
    void rejectNonPositiveDurations() {
        assertThatExceptionOfType(InvalidTimingsException.class)
                .isThrownBy(() ->
                        ElectionTimings.builder().renewInterval(Duration.ZERO).build())
                .withMessage("renewInterval (0s) must be positive");
        assertThatExceptionOfType(InvalidTimingsException.class)
                .isThrownBy(() -> ElectionTimings.builder()
                        .driftMargin(Duration.ofMillis(-1))
                        .build())
                .withMessage("driftMargin (-1ms) must be at least 1ms, "
                        + "to cover the scheduling delay between the deadline and the step-down");
    }

    @Test
    void rejectADriftMarginBelowOneMillisecond() {
        assertThatExceptionOfType(InvalidTimingsException.class)
                .isThrownBy(() -> ElectionTimings.builder()
                        .driftMargin(Duration.ofNanos(999_999))
                        .build())
                .withMessageStartingWith("driftMargin (999999ns) must be at least 1ms");
        assertThat(ElectionTimings.builder()
                        .driftMargin(Duration.ofMillis(1))
                        .build()
                        .driftMargin())
                .isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void rejectABackoffThatCannotWork() {
        assertThatExceptionOfType(InvalidTimingsException.class)
                .isThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0))
                .withMessage("backoff.multiplier (0.5) must be a finite number of at least 1");
        assertThatExceptionOfType(InvalidTimingsException.class)
                .isThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, -0.1))
                .withMessage("backoff.jitter (-0.1) must be between 0 and 1");
    }

    @Test
    void backoffGrowsCapsAndJittersWithinItsFraction() {
        BackoffPolicy backoff = new BackoffPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.5);

        assertThat(backoff.delay(1, 0.0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(3, 0.0)).isEqualTo(Duration.ofMillis(400));
        assertThat(backoff.delay(30, 0.0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(3, 0.999)).isBetween(Duration.ofMillis(200), Duration.ofMillis(201));
    }
}
