package dev.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A lease store whose answers the test gives by hand, one call at a time. */
final class ScriptedLeaseStore implements LeaseStore {

    record Call(String operation, LeaseToken token, CompletableFuture<Object> answer) {
        @SuppressWarnings("unchecked")
        <T> CompletionStage<T> stage() {
            return (CompletionStage<T>) (CompletionStage<?>) answer;
        }
    }

    private final Deque<Call> pending = new ArrayDeque<>();
    private LeaseChangeListener announcements = () -> {};
    private boolean subscribed;

    @Override
    public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
        return record("acquire", token).stage();
    }

    @Override
    public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
        return record("renew", token).stage();
    }

    @Override
    public CompletionStage<Boolean> release(String election, LeaseToken token) {
        return record("release", token).stage();
    }

    @Override
    public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
        return record("inspect", LeaseToken.random("inspector")).stage();
    }

    @Override
    public CompletionStage<List<Candidate>> candidates(String election) {
        return record("candidates", LeaseToken.random("lister")).stage();
    }

    @Override
    public Subscription subscribe(String election, LeaseChangeListener listener) {
        this.announcements = listener;
        subscribed = true;
        return () -> subscribed = false;
    }

    @Override
    public String kind() {
        return "scripted";
    }

    /** Takes any name without a space. */
    @Override
    public void checkElectionName(String election) {
        if (election.contains(" ")) {
            throw new IllegalArgumentException("must not contain spaces");
        }
    }

    /** Takes the oldest unanswered call, which must be of the given operation. */
    Call next(String operation) {
        Call call = pending.pollFirst();
        assertThat(call).as("an unanswered %s call", operation).isNotNull();
        assertThat(call.operation()).isEqualTo(operation);
        return call;
    }

    void answerNext(String operation, Object answer) {
        next(operation).answer().complete(answer);
    }

    void failNext(String operation) {
        next(operation).answer().completeExceptionally(new IllegalStateException("connection refused"));
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    Deque<Call> pending() {
        return pending;
    }

    void signalRelease() {
        announcements.released();
    }

    void loseLink() {
        announcements.linkLost();
    }

    void announceGrant(String instanceId, long fencingToken) {
        announcements.granted(instanceId, fencingToken);
    }

    boolean subscribed() {
        return subscribed;
    }

    private Call record(String operation, LeaseToken token) {
        Call call = new Call(operation, token, new CompletableFuture<>());
        pending.addLast(call);
        return call;
    }

    static AcquireResult granted(long fencingToken) {
        return new AcquireResult.Granted(fencingToken);
    }

    static AcquireResult held(String holder, Duration remaining) {
        return new AcquireResult.Held(new LeaseHolder(holder, remaining));
    }
}
