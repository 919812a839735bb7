package dev.leaderelection.benchmarks.jmh;

import dev.leaderelection.LeaderElector;
import dev.leaderelection.NotLeaderException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of a {@code @LeaderOnly} call on the leader and on a follower, against the same plain
 * call. The plain call goes to the bean itself; every other call goes through the Spring proxy,
 * as an injected bean's would. {@code isLeader} is the elector's check alone: a volatile read and
 * {@link System#nanoTime()}. {@code proxyAndClockRead} is the floor of any fail-closed guard: the
 * same proxy with advice that only reads {@link System#nanoTime()}. The guard is the shipped one, applied as the starter applies it (see
 * {@link GuardFixture}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LeaderOnlyBenchmark {

    /** The guard on the leader. */
    @State(Scope.Benchmark)
    public static class OnLeader {
        final GuardedWork target = new GuardedWork();
        final long x = System.nanoTime() & 0xff;
        GuardFixture fixture;

        @Setup(Level.Trial)
        public void setUp() {
            fixture = GuardFixture.onLeader();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            fixture.close();
        }
    }

    /** The floor: the same proxy, whose advice only reads the clock. */
    @State(Scope.Benchmark)
    public static class OnFloor {
        final long x = System.nanoTime() & 0xff;
        ClockReadingProxyFixture fixture;

        @Setup(Level.Trial)
        public void setUp() {
            fixture = new ClockReadingProxyFixture();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            fixture.close();
        }
    }

    /** The guard on a follower. */
    @State(Scope.Benchmark)
    public static class OnFollower {
        final long x = System.nanoTime() & 0xff;
        GuardFixture fixture;

        @Setup(Level.Trial)
        public void setUp() {
            fixture = GuardFixture.onFollower();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            fixture.close();
        }
    }

    @Benchmark
    public long plainCall(OnLeader state) {
        return state.target.plain(state.x);
    }

    @Benchmark
    public long plainCallThroughProxy(OnLeader state) {
        return state.fixture.proxy().plain(state.x);
    }

    @Benchmark
    public long proxyAndClockRead(OnFloor state) {
        return state.fixture.proxy().guarded(state.x);
    }

    @Benchmark
    public boolean isLeader(OnLeader state) {
        LeaderElector elector = state.fixture.elector();
        return elector.isLeader();
    }

    @Benchmark
    public long leaderOnlyOnLeader(OnLeader state) {
        return state.fixture.proxy().guarded(state.x);
    }

    @Benchmark
    public void leaderOnlyOnFollowerSkipsVoid(OnFollower state) {
        state.fixture.proxy().guardedVoid(state.x);
    }

    @Benchmark
    public @Nullable Long leaderOnlyOnFollowerReturnsNull(OnFollower state) {
        return state.fixture.proxy().guardedOrNull(state.x);
    }

    @Benchmark
    public Object leaderOnlyOnFollowerThrows(OnFollower state) {
        try {
            return state.fixture.proxy().guarded(state.x);
        } catch (NotLeaderException ex) {
            return ex;
        }
    }
}
