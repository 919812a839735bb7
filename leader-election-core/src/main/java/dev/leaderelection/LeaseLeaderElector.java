package dev.leaderelection;

import dev.leaderelection.ElectionScheduler.Cancellable;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The election engine: campaigns for a lease in a {@link LeaseStore}, renews it while leader and
 * fails closed on anything it cannot prove.
 *
 * <p>All decisions run one at a time on the election's own thread (a serial view of the shared
 * {@link ElectionScheduler}); {@link #isLeader()} only reads a volatile field and the clock.
 */
public class LeaseLeaderElector implements LeaderElector {

    private static final Logger log = LoggerFactory.getLogger(LeaseLeaderElector.class);
    private static final Duration EXPIRY_SLACK = Duration.ofMillis(1);
    private static final Cancellable NOTHING = () -> {};
    private static final Subscription NO_SUBSCRIPTION = () -> {};
    /**
     * Renewals fall due on multiples of this on the scheduler's clock, shared by every elector of a
     * JVM, so that a store can send those of one tick together; a renewal moves earlier by less
     * than a tick (at most an eighth of its interval), never later.
     */
    static final Duration RENEWAL_TICK = Duration.ofMillis(25);

    private final String election;
    private final String instanceId;
    private final LeaseStore store;
    private final ElectionTimings timings;
    private final ElectionScheduler scheduler;
    private final SerialExecutor electionThread;
    private final Listeners listeners = new Listeners();
    private final GuardedCalls guardedCalls = new GuardedCalls();
    private final KnownLeader knownLeader = new KnownLeader(listeners);
    private final BoundedStoreCalls storeCalls;
    private final StepDowns stepDowns;
    private final Object lifecycle = new Object();
    // The steps that hand-offs take, made once here: a lambda is linked the first time it runs, which
    // cost milliseconds on a JVM's first hand-off, between a store's answer and the next step.
    private final Runnable campaignStep = this::campaign;
    private final Runnable renewStep = this::renew;
    private final Runnable deadlineStep = this::onDeadline;
    private final Runnable relinquishStep = this::relinquish;
    private final Runnable cooldownStep = this::endCooldown;
    private final Runnable releaseSignalStep = this::onReleaseSignal;
    private final Runnable linkLostStep = this::onLinkLost;

    // Read from any thread, written on the election thread (running also by start and stop).
    private volatile boolean running;
    private volatile ElectionState state = ElectionState.STOPPED;
    private volatile @Nullable Leadership leadership;
    private volatile Instant since = Instant.now();
    private volatile @Nullable Instant lastRenewal;
    private volatile @Nullable String lastError;
    private volatile Subscription releases = NO_SUBSCRIPTION; // written on the election thread only

    // Confined to the election thread.
    private LeaseToken token;
    private long generation;
    private boolean acquiring;
    private boolean releasedWhileAcquiring;
    private int failureStreak;
    private boolean coolingDown;
    private Cancellable nextStep = NOTHING;
    private Cancellable deadlineTimer = NOTHING;
    private Cancellable relinquishTimer = NOTHING;
    private CompletableFuture<Boolean> stepDown = CompletableFuture.completedFuture(false);

    /**
     * @throws IllegalArgumentException if the election name is blank or the store cannot take it
     *     ({@link LeaseStore#checkElectionName})
     */
    public LeaseLeaderElector(
            String election,
            String instanceId,
            LeaseStore store,
            ElectionTimings timings,
            ElectionScheduler scheduler) {
        if (election.isBlank()) {
            throw new IllegalArgumentException("election must not be blank");
        }
        try {
            store.checkElectionName(election);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("election name '" + election + "' " + ex.getMessage(), ex);
        }
        this.election = election;
        this.instanceId = instanceId;
        this.store = store;
        this.timings = timings;
        this.scheduler = scheduler;
        this.electionThread = new SerialExecutor(scheduler);
        this.storeCalls = new BoundedStoreCalls(scheduler, electionThread, timings.operationTimeout(), listeners);
        this.stepDowns =
                new StepDowns(election, instanceId, scheduler, electionThread, guardedCalls, listeners, this::release);
        this.token = LeaseToken.random(instanceId);
    }

    @Override
    public String election() {
        return election;
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    /** The timings this elector runs with. */
    public ElectionTimings timings() {
        return timings;
    }

    /** The store this elector campaigns in. */
    public LeaseStore store() {
        return store;
    }

    @Override
    public boolean isLeader() {
        Leadership current = leadership;
        return current != null && running && scheduler.nanoTime() - current.deadlineNanos() < 0;
    }

    @Override
    public boolean tryEnterGuarded() {
        guardedCalls.enter(); // before the check: see GuardedCalls
        if (isLeader()) {
            return true;
        }
        guardedCalls.exit();
        return false;
    }

    @Override
    public void exitGuarded() {
        guardedCalls.exit();
    }

    @Override
    public Optional<Leadership> currentLeadership() {
        Leadership current = leadership;
        return isLeader() ? Optional.ofNullable(current) : Optional.empty();
    }

    @Override
    public ElectionState state() {
        return state;
    }

    @Override
    public @Nullable String leaderId() {
        return knownLeader.leaderId();
    }

    @Override
    public ElectionStatus status() {
        Leadership current = currentLeadership().orElse(null);
        Duration remaining = current == null ? null : Duration.ofNanos(current.deadlineNanos() - scheduler.nanoTime());
        return new ElectionStatus(
                election,
                instanceId,
                state,
                knownLeader.leaderId(),
                current == null ? null : current.fencingToken(),
                remaining,
                since,
                lastRenewal,
                lastError,
                store.kind(),
                releases.state(),
                timings);
    }

    @Override
    public CompletionStage<List<Candidate>> candidates() {
        return storeCalls.call(StoreOperation.CANDIDATES, () -> store.candidates(election));
    }

    @Override
    public void addListener(LeadershipListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(LeadershipListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (running) {
                return;
            }
            running = true;
        }
        electionThread.execute(() -> {
            if (!running) {
                return;
            }
            releases = store.subscribe(election, new Announcements());
            enter(ElectionState.CANDIDATE);
            campaign();
        });
    }

    @Override
    public void stop(boolean releaseLease) {
        synchronized (lifecycle) {
            running = false;
        }
        StopRequest stop = new StopRequest(releaseLease);
        electionThread.execute(stop);
        if (!electionThread.isCurrentThread()) {
            // guarded calls in flight make the step-down wait, at most until the deadline (within a lease)
            Duration drain = guardedCalls.inFlight() > 0 ? timings.leaseDuration() : Duration.ZERO;
            stepDowns.await(stop.done, "stop", drain.plus(timings.operationTimeout()));
        }
    }

    @Override
    public void yieldLeadership() {
        YieldRequest request = new YieldRequest();
        electionThread.execute(request);
        if (!electionThread.isCurrentThread()) {
            stepDowns.await(request.done, "yield", timings.operationTimeout());
        }
    }

    // 1. Campaign: try to take the lease; on "held", sleep until it should expire or is released.
    private void campaign() {
        if (!running || acquiring || leadership != null) {
            return;
        }
        nextStep.cancel();
        acquiring = true;
        releasedWhileAcquiring = false;
        long sentAt = scheduler.nanoTime();
        LeaseToken campaignToken = token;
        onElectionThread(
                storeCalls.call(
                        StoreOperation.ACQUIRE, () -> store.acquire(election, campaignToken, timings.leaseDuration())),
                (result, error) -> {
                    acquiring = false;
                    onAcquireAnswer(sentAt, result, error);
                });
    }

    private void onAcquireAnswer(long sentAt, @Nullable AcquireResult result, @Nullable Throwable error) {
        if (result == null || error != null) {
            storeFailed(StoreOperation.ACQUIRE, error);
            return;
        }
        storeAnswered();
        if (result instanceof AcquireResult.Granted granted) {
            long deadline = deadlineFor(sentAt);
            if (scheduler.nanoTime() - deadline >= 0) {
                release(token);
                token = LeaseToken.random(instanceId);
                storeFailed(
                        StoreOperation.ACQUIRE,
                        new StoreTimeoutException(StoreOperation.ACQUIRE, timings.leaseDuration()));
                return;
            }
            grant(granted.fencingToken(), sentAt, deadline);
        } else if (result instanceof AcquireResult.Held held) {
            String holder = held.holder().instanceId();
            if (holder.equals(instanceId)) {
                knownLeader.unknown(); // our own ended term is no leader
            } else {
                knownLeader.heldBy(holder);
            }
            enter(ElectionState.FOLLOWER);
            if (releasedWhileAcquiring) {
                campaign(); // a release came in while the store answered: the lease may be free now
            } else {
                nextStep = after(followerWait(sentAt, held.holder().remaining()), campaignStep);
            }
        }
    }

    // 2. Lead: renew on a fixed beat measured from each send; a timer ends the term at the deadline.
    private void grant(long fencingToken, long sentAt, long deadline) {
        Leadership granted = new Leadership(election, instanceId, fencingToken, Instant.now(), deadline);
        leadership = granted;
        lastRenewal = Instant.now();
        enter(ElectionState.LEADER);
        knownLeader.granted(instanceId, fencingToken);
        listeners.granted(granted);
        // Then the timers, on this thread, so before any of them can run: the guard counts on the
        // deadline, not on them, and the application hears of its grant without waiting for them.
        scheduleRenewal(sentAt);
        deadlineTimer = after(Duration.ofNanos(Math.max(0, deadline - scheduler.nanoTime())), deadlineStep);
        Optional<Duration> term = timings.relinquish().termLength(scheduler.wallClock());
        if (term.isPresent()) {
            relinquishTimer = after(term.get(), relinquishStep);
        }
        log.info( // after the listeners: the application hears of its grant first
                "Leadership granted: election={} instance={} fencingToken={} reason=acquired",
                election,
                instanceId,
                fencingToken);
    }

    private void renew() {
        if (leadership == null) {
            return;
        }
        long sentAt = scheduler.nanoTime();
        LeaseToken termToken = token;
        onElectionThread(
                storeCalls.call(StoreOperation.RENEW, () -> store.renew(election, termToken, timings.leaseDuration())),
                (renewed, error) -> onRenewAnswer(sentAt, renewed, error));
    }

    private void onRenewAnswer(long sentAt, @Nullable Boolean renewed, @Nullable Throwable error) {
        Leadership current = leadership;
        if (current == null) {
            return;
        }
        if (renewed == null || error != null) {
            endTerm(RevocationReason.STORE_UNREACHABLE);
            storeFailed(StoreOperation.RENEW, error);
        } else if (!renewed) {
            storeAnswered();
            endTerm(RevocationReason.LEASE_LOST);
            recampaign();
        } else if (scheduler.nanoTime() - current.deadlineNanos() >= 0) {
            onDeadline();
        } else {
            storeAnswered();
            long deadline = deadlineFor(sentAt);
            leadership = current.withDeadline(deadline); // the deadline timer finds it when it fires
            lastRenewal = Instant.now();
            scheduleRenewal(sentAt);
        }
    }

    private void onDeadline() {
        Leadership current = leadership;
        if (current == null) {
            return;
        }
        long untilDeadline = current.deadlineNanos() - scheduler.nanoTime();
        if (untilDeadline > 0) {
            deadlineTimer = after(Duration.ofNanos(untilDeadline), deadlineStep);
            return;
        }
        endTerm(RevocationReason.DEADLINE_PASSED);
        recampaign();
    }

    private void scheduleRenewal(long sentAt) {
        long untilRenewal = onRenewalTick(sentAt + timings.renewInterval().toNanos()) - scheduler.nanoTime();
        nextStep.cancel();
        nextStep = after(Duration.ofNanos(Math.max(0, untilRenewal)), renewStep);
    }

    private long onRenewalTick(long due) {
        long tick = Math.min(RENEWAL_TICK.toNanos(), timings.renewInterval().toNanos() / 8);
        return tick > 0 ? due - Math.floorMod(due, tick) : due;
    }

    // 3. Step down: stop the guard first, tell the listeners; let the guarded calls in flight
    //    return (until the deadline at most); then free the lease.
    private CompletableFuture<Boolean> endTerm(RevocationReason reason) {
        return endTerm(reason, reason != RevocationReason.LEASE_LOST);
    }

    private CompletableFuture<Boolean> endTerm(RevocationReason reason, boolean releaseLease) {
        Leadership ended = leadership;
        if (ended == null) {
            return CompletableFuture.completedFuture(false);
        }
        leadership = null; // refuses new guarded calls from here on
        generation++;
        nextStep.cancel();
        deadlineTimer.cancel();
        relinquishTimer.cancel();
        LeaseToken heldToken = token;
        token = LeaseToken.random(instanceId);
        listeners.revoked(ended, reason);
        CompletableFuture<Boolean> released = stepDowns.finish(ended, reason, releaseLease ? heldToken : null);
        knownLeader.unknown(); // until the store answers again; told after the release is sent
        stepDown = released;
        return released;
    }

    private CompletableFuture<Boolean> release(LeaseToken heldToken) {
        return storeCalls.call(StoreOperation.RELEASE, new ReleaseRequest(heldToken));
    }

    /** A voluntary step-down that sits out the cooldown: a yield or a relinquish. */
    private void stepAside(RevocationReason reason) {
        if (leadership == null) {
            return;
        }
        endTerm(reason);
        coolingDown = true;
        enter(ElectionState.FOLLOWER);
        nextStep = after(timings.yieldCooldown(), cooldownStep);
    }

    private void relinquish() {
        stepAside(RevocationReason.RELINQUISHED);
    }

    private void endCooldown() {
        coolingDown = false;
        campaign();
    }

    private void recampaign() {
        enter(ElectionState.CANDIDATE);
        campaign();
    }

    private void onReleaseSignal() {
        if (leadership != null) {
            return;
        }
        knownLeader.unknown();
        if (coolingDown) {
            return;
        }
        if (acquiring) {
            releasedWhileAcquiring = true; // answered once the acquire in flight comes back
        } else if (state == ElectionState.FOLLOWER || state == ElectionState.STANDBY) {
            campaign();
        }
    }

    /** The store can prove no lease of this client until its link is back: step down now. */
    private void onLinkLost() {
        if (leadership == null) {
            return;
        }
        endTerm(RevocationReason.STORE_UNREACHABLE);
        storeFailed(StoreOperation.RENEW, new IllegalStateException("the store lost its link to the server"));
    }

    private void storeFailed(StoreOperation operation, @Nullable Throwable error) {
        lastError = ErrorDescriptions.describe(unwrap(error));
        if (++failureStreak == 1) {
            log.warn(
                    "Election {}: store {} failed, standing by until the store answers: {}",
                    election,
                    operation.label(),
                    lastError);
        }
        knownLeader.unknown();
        enter(ElectionState.STANDBY);
        nextStep.cancel();
        nextStep = after(
                timings.backoff()
                        .delay(failureStreak, ThreadLocalRandom.current().nextDouble()),
                campaignStep);
    }

    private void storeAnswered() {
        if (failureStreak > 0) {
            log.info("Election {}: store answers again after {} failed calls", election, failureStreak);
            failureStreak = 0;
        }
    }

    private CompletableFuture<Void> shutdown(boolean releaseLease) {
        CompletableFuture<Boolean> released;
        if (acquiring && releaseLease) {
            // An acquire still in flight may yet succeed in the store: release its token too, and
            // never campaign with that token again, or the late release could free a later term.
            released = release(token);
            token = LeaseToken.random(instanceId);
        } else {
            released = endTerm(RevocationReason.SHUTDOWN, releaseLease);
        }
        CompletableFuture<Boolean> earlierStepDown = stepDown; // an earlier step-down's drain may still run
        generation++;
        nextStep.cancel();
        releases.close();
        releases = NO_SUBSCRIPTION;
        acquiring = false;
        coolingDown = false;
        knownLeader.unknown();
        enter(ElectionState.STOPPED);
        return CompletableFuture.allOf(released, earlierStepDown);
    }

    private void enter(ElectionState next) {
        ElectionState previous = state;
        if (previous != next) {
            since = Instant.now();
            state = next;
            listeners.stateChanged(previous, next);
        }
    }

    private long deadlineFor(long sentAt) {
        return sentAt
                + timings.leaseDuration().toNanos()
                - timings.driftMargin().toNanos();
    }

    /**
     * How long a follower sleeps before it asks again: until the lease it saw ends. The store read
     * {@code remaining} after the call was sent, so the lease ends no earlier than {@code remaining}
     * after the send: counted from there, not from the answer, the follower does not oversleep by
     * the round trip and the hop to this thread. {@link #EXPIRY_SLACK} covers a store that rounds
     * the remaining time down to the millisecond; a wake-up that still comes early only costs one
     * more call near the end of the lease. The sleep is capped at one lease and the margin a store
     * may add to it ({@link LeaseStore#MAX_LEASE_MARGIN}).
     */
    private Duration followerWait(long sentAt, @Nullable Duration remaining) {
        if (remaining == null) {
            return timings.retryInterval();
        }
        Duration untilExpiry = remaining.plus(EXPIRY_SLACK).minusNanos(scheduler.nanoTime() - sentAt);
        if (untilExpiry.isNegative()) {
            return Duration.ZERO;
        }
        Duration longest = timings.leaseDuration().plus(LeaseStore.MAX_LEASE_MARGIN);
        return untilExpiry.compareTo(longest) < 0 ? untilExpiry : longest;
    }

    /** Schedules a step on the election thread; it is skipped if a term ends in between. */
    private Cancellable after(Duration delay, Runnable step) {
        long scheduledIn = generation;
        return scheduler.schedule(
                () -> electionThread.execute(() -> {
                    if (scheduledIn == generation && running) {
                        step.run();
                    }
                }),
                delay);
    }

    /** Handles a store answer on the election thread, unless a term ended since the call. */
    private <T> void onElectionThread(CompletableFuture<T> answer, Answer<T> handler) {
        long calledIn = generation;
        answer.whenComplete((value, error) -> electionThread.execute(() -> {
            if (calledIn == generation && running) {
                handler.accept(value, error);
            }
        }));
    }

    private static @Nullable Throwable unwrap(@Nullable Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    @FunctionalInterface
    private interface Answer<T> {
        void accept(@Nullable T value, @Nullable Throwable error);
    }

    // Named classes rather than lambdas for what a hand-off runs first: see campaignStep.

    /** A {@link #stop(boolean)}, run on the election thread; done once the release has an answer. */
    private final class StopRequest implements Runnable, BiConsumer<Object, Throwable> {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final boolean releaseLease;

        StopRequest(boolean releaseLease) {
            this.releaseLease = releaseLease;
        }

        @Override
        public void run() {
            shutdown(releaseLease).whenComplete(this);
        }

        @Override
        public void accept(@Nullable Object ignored, @Nullable Throwable error) {
            done.complete(null);
        }
    }

    /** A {@link #yieldLeadership()}, run on the election thread; done once the term has ended. */
    private final class YieldRequest implements Runnable {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public void run() {
            stepAside(RevocationReason.YIELDED);
            done.complete(null);
        }
    }

    /** The release of one term's token. */
    private final class ReleaseRequest implements Supplier<CompletionStage<Boolean>> {
        private final LeaseToken heldToken;

        ReleaseRequest(LeaseToken heldToken) {
            this.heldToken = heldToken;
        }

        @Override
        public CompletionStage<Boolean> get() {
            return store.release(election, heldToken);
        }
    }

    /** The store's announcements, handed to the election thread: releases wake, grants inform. */
    private final class Announcements implements LeaseChangeListener {
        @Override
        public void released() {
            electionThread.execute(releaseSignalStep);
        }

        @Override
        public void linkLost() {
            electionThread.execute(linkLostStep);
        }

        @Override
        public void granted(String holder, long fencingToken) {
            electionThread.execute(() -> {
                if (running && !holder.equals(instanceId)) { // our own grants are known first-hand
                    knownLeader.granted(holder, fencingToken);
                }
            });
        }
    }

    @Override
    public String toString() {
        return "LeaseLeaderElector[election=" + election + ", instance=" + instanceId + ", state=" + state + "]";
    }
}
