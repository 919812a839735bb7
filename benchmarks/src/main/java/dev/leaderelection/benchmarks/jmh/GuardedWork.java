package dev.leaderelection.benchmarks.jmh;

import dev.leaderelection.annotation.LeaderOnly;
import dev.leaderelection.annotation.LeaderOnly.OnFollower;
import org.jspecify.annotations.Nullable;

/** The bean under the guard benchmark: one small computation, plain and guarded in each way. */
public class GuardedWork {

    private long last;

    /** Not guarded. */
    public long plain(long x) {
        return x * 31 + 17;
    }

    /** Guarded; on a follower it throws, as its result is a primitive. */
    @LeaderOnly
    public long guarded(long x) {
        return x * 31 + 17;
    }

    /** Guarded; skipped on a follower, as it returns nothing. */
    @LeaderOnly
    public void guardedVoid(long x) {
        last = x * 31 + 17;
    }

    /** Guarded; returns {@code null} on a follower. */
    @LeaderOnly(onFollower = OnFollower.SKIP)
    public @Nullable Long guardedOrNull(long x) {
        return x * 31 + 17;
    }

    /** What {@link #guardedVoid} computed last. */
    public long last() {
        return last;
    }
}
