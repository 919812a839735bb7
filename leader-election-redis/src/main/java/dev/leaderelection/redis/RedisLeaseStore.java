package dev.leaderelection.redis;

import dev.leaderelection.ErrorDescriptions;
import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link LeaseStore} on Redis through Spring Data Redis. Commands go out non-blocking on the
 * connection factory's shared connection (Lettuce), so many elections share one connection and
 * a hung server blocks no thread.
 *
 * <p>Keys of election {@code e} with prefix {@code p}: {@code {p:e}:lease} holds the holder's token,
 * {@code {p:e}:term} a copy with the same expiry that keeps others out when the lease key alone is
 * lost, {@code {p:e}:epoch} the last fencing token, {@code {p:e}:server} the Redis server process
 * and replication history that last found the lease free, {@code {p:e}:candidates} the instances that
 * campaigned lately (each acquire and renew lists its caller for two leases, in the same script
 * call); releases and grants are published on {@code {p:e}:released} ({@code released}, {@code
 * granted:<fencing token>:<instance id>}, and {@code held:<instance id>} from a renewal that finds
 * the lease key written by someone else without a grant), a shard channel of the election's slot on
 * Redis Cluster ({@link ShardedReleaseSubscriptions}). Outside Cluster the store's pub/sub link
 * subscribes {@code {p:e}:candidate:<instance id>} for each instance that polls the election, so that
 * {@code PUBSUB CHANNELS} lists it while an idle follower's poll is a single {@code PTTL} ({@link
 * FollowerPolls}).
 *
 * <p>With the {@linkplain Builder#restartGuard restart guard} on (the default), a Redis that may
 * have lost the last grant or renewal holds back grants for one lease duration from the first
 * acquire that finds the lease free there, so that a leader that still trusts its deadline has
 * stepped down first.
 *
 * <p>Calls go out in the order they are made: from a thread of the store's own until the warm-up
 * of {@link #start()} has opened the shared connection, then from the caller's thread. Renewals
 * that fall due together go out in one script call from the store's thread ({@link
 * RenewalBatches}). With {@linkplain Builder#minReplicasAcked replica acknowledgement}, grants and
 * renewals go out on a connection of the store's own instead, each call followed by {@code WAIT}.
 *
 * <p>Its owner calls {@link #start()} before the electors start and {@link #stop()} after they
 * stopped, while the connection factory is still running, so the pub/sub connection closes cleanly.
 */
public class RedisLeaseStore implements LeaseStore {

    /** The key prefix used unless another is given. */
    public static final String DEFAULT_KEY_PREFIX = "leader-election";

    private static final RedisScript<List> ACQUIRE = script("acquire.lua", List.class);
    /**
     * Reads a release's reply; made once, with the class: a method reference is linked the first
     * time it runs, which cost milliseconds on a JVM's first hand-off.
     */
    private static final Function<Object, Boolean> FREED = RedisLeaseStore::isOne;
    /** The election whose keys (never written) the warm-ups read. */
    private static final String WARM_UP_ELECTION = "warm-up";

    private static final RedisScript<List> RENEW = script("renew.lua", List.class);
    private static final ByteBuffer RENEW_TEXT = ByteBuffer.wrap(
                    RENEW.getScriptAsString().getBytes(StandardCharsets.UTF_8))
            .asReadOnlyBuffer();
    private static final RedisScript<Long> RELEASE = script("release.lua", Long.class);
    private static final RedisScript<List> INSPECT = script("inspect.lua", List.class);
    private static final RedisScript<List> CANDIDATES = script("candidates.lua", List.class);

    /**
     * How much longer than asked Redis keeps each lease ({@link LeaseStore#MAX_LEASE_MARGIN} allows
     * it). With a renew interval that divides the lease, a renewal falls due just as the lease it
     * extends would end, which is when an idle follower looks at it; without the margin, a renewal
     * a millisecond late made the follower see the previous one and look again a renew interval
     * early. A crashed leader's lease ends this much later.
     */
    static final Duration LEASE_MARGIN = Duration.ofMillis(5);

    /** The longest {@link #start()} waits for Redis to load the scripts. */
    public static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(RedisLeaseStore.class);

    private static final AtomicInteger STORES = new AtomicInteger();

    private final ReactiveStringRedisTemplate redis;
    private final String keyPrefix;
    private final boolean restartGuard;
    private final Map<String, RedisKeys> keys = new ConcurrentHashMap<>();
    private final ReleaseLink releases;
    private final FollowerPolls polls;
    private final RenewalBatches renewals;
    private volatile @Nullable SentTtl lastTtl;
    /** Where grants and renewals go when replicas must acknowledge them; {@code null} when not. */
    private final @Nullable AcknowledgedWrites acknowledged;

    /** Where the links to Redis are kept up: the release subscription, the start-up warm-up. */
    private final ScheduledExecutorService background;

    private volatile boolean warmedUp;
    private final boolean sendsWithoutBlocking;
    /** Set once {@link #start()} opened the shared connection, before the electors start. */
    private volatile boolean sendsInline;

    private volatile boolean warmUpFailed; // logged once
    private volatile boolean warmUpRefused; // Redis answered NOPERM
    private volatile boolean permissionsChecked;
    /** The last warm-up, left running when a wait for it ended: the next one waits for it instead. */
    private volatile @Nullable CompletableFuture<Void> warmingUp;

    /**
     * Where commands are subscribed: one thread, so they reach the connection in the order they
     * were made. Spring Data Redis opens the shared connection on first use, and that blocks while
     * the server hangs; the caller, an election thread, must never wait for it.
     */
    private final Scheduler dispatch;

    /**
     * Creates a store on a connection factory that offers both blocking and reactive access, such
     * as Spring Data Redis's {@code LettuceConnectionFactory}, with the restart guard on.
     *
     * @throws IllegalArgumentException if the factory has no reactive access or the prefix has
     *     characters that would break the key layout
     */
    public RedisLeaseStore(RedisConnectionFactory connectionFactory, String keyPrefix) {
        this(builder(connectionFactory).keyPrefix(keyPrefix));
    }

    private RedisLeaseStore(Builder builder) {
        if (!(builder.connectionFactory instanceof ReactiveRedisConnectionFactory reactive)) {
            throw new IllegalArgumentException(
                    "RedisLeaseStore needs a connection factory with non-blocking access, such as "
                            + "LettuceConnectionFactory; "
                            + builder.connectionFactory.getClass().getName() + " has none");
        }
        RedisKeys.requireValid("key prefix", builder.keyPrefix);
        this.redis = new ReactiveStringRedisTemplate(reactive);
        this.sendsWithoutBlocking = builder.connectionFactory instanceof LettuceConnectionFactory lettuce
                && lettuce.getShareNativeConnection()
                && !lettuce.getValidateConnection();
        this.keyPrefix = builder.keyPrefix;
        this.restartGuard = builder.restartGuard;
        int number = STORES.incrementAndGet();
        this.dispatch = Schedulers.newSingle(daemonThreads("leader-election-redis-" + number));
        this.background =
                Executors.newSingleThreadScheduledExecutor(daemonThreads("leader-election-redis-background-" + number));
        this.releases = ReleaseLink.of(builder.connectionFactory, background);
        this.polls = new FollowerPolls(releases, background);
        this.renewals = new RenewalBatches(dispatch, releases.sharded(), this::sendRenewals);
        this.acknowledged = builder.minReplicasAcked > 0
                ? new AcknowledgedWrites(
                        builder.connectionFactory, builder.minReplicasAcked, builder.replicaWaitTimeout, number)
                : null;
    }

    /** A builder for a store on {@code connectionFactory}, which must offer non-blocking access. */
    public static Builder builder(RedisConnectionFactory connectionFactory) {
        return new Builder(connectionFactory);
    }

    /**
     * Takes the lease if it is free. A follower that knows the holder from the announcements and
     * is listed by its presence channel first reads {@code PTTL} of the lease key alone (one
     * command), and sends the full acquire only when the lease has no time left ({@link
     * FollowerPolls}).
     */
    @Override
    public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
        RedisKeys electionKeys = keys(election);
        FollowerPolls.Poll poll = polls.before(election, electionKeys, token.instanceId(), ttl);
        if (!poll.light()) {
            return fullAcquire(electionKeys, token, ttl, poll);
        }
        return pttl(electionKeys.lease())
                .thenCompose(pttl -> pttl > 0
                        ? CompletableFuture.completedFuture(poll.held(pttl))
                        : fullAcquire(electionKeys, token, ttl, poll));
    }

    /** Runs {@code task} on the store's own thread, unless the store is closed. */
    private void onDispatchThread(Runnable task) {
        try {
            dispatch.schedule(task);
        } catch (RejectedExecutionException ex) {
            // closed: nothing more to send
        }
    }

    /** The light poll: {@code PTTL} of {@code key}. */
    private CompletableFuture<Long> pttl(String key) {
        ByteBuffer bytes = ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8));
        return redis.execute(connection -> connection.keyCommands().pTtl(bytes))
                .subscribeOn(sender())
                .single()
                .toFuture();
    }

    private CompletableFuture<AcquireResult> fullAcquire(
            RedisKeys electionKeys, LeaseToken token, Duration ttl, FollowerPolls.Poll poll) {
        List<String> scriptKeys = electionKeys.leaseTermEpochServerAndCandidates();
        String[] args = {
            token.encoded(),
            ttlMillis(ttl),
            restartGuard ? "1" : "0",
            electionKeys.releaseChannel(),
            releases.sharded() ? "1" : "0"
        };
        CompletableFuture<List> reply = acknowledged != null
                ? acknowledged.run(ACQUIRE, scriptKeys, List.of(args), granted -> isOne(granted.get(0)))
                : run(ACQUIRE, scriptKeys, args);
        return reply.thenApply(answer -> polls.after(poll, token.instanceId(), answer));
    }

    /** Renews with the other renewals due at the same tick, in one script call ({@link RenewalBatches}). */
    @Override
    public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
        return renewals.renew(keys(election), token.encoded(), ttlMillis(ttl));
    }

    /**
     * {@link #wholeMillis} of {@code ttl} and the {@link #LEASE_MARGIN}, kept for the next acquire
     * or renewal, which almost always sends the same.
     */
    private String ttlMillis(Duration ttl) {
        SentTtl last = lastTtl;
        if (last == null || !last.ttl().equals(ttl)) {
            last = new SentTtl(ttl, wholeMillis(ttl.plus(LEASE_MARGIN)));
            lastTtl = last;
        }
        return last.millis();
    }

    private record SentTtl(Duration ttl, String millis) {}

    /**
     * Runs {@code renew.lua} for a batch. Without replica acknowledgement the keys and arguments go
     * to the connection as bytes, without the template's serializers: a batch holds hundreds.
     */
    private CompletableFuture<List<?>> sendRenewals(List<String> scriptKeys, List<String> args) {
        if (acknowledged != null) {
            return acknowledged
                    .run(RENEW, scriptKeys, args, renewed -> renewed.contains(1L))
                    .thenApply(renewed -> renewed);
        }
        ByteBuffer[] keysAndArgs = new ByteBuffer[scriptKeys.size() + args.size()];
        for (int i = 0; i < keysAndArgs.length; i++) {
            String value = i < scriptKeys.size() ? scriptKeys.get(i) : args.get(i - scriptKeys.size());
            keysAndArgs[i] = ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
        }
        int keyCount = scriptKeys.size();
        return redis.execute(connection -> connection
                        .scriptingCommands()
                        .evalSha(RENEW.getSha1(), ReturnType.MULTI, keyCount, keysAndArgs)
                        // A server without the script (restarted, promoted, SCRIPT FLUSH) gets it whole.
                        .onErrorResume(
                                AcknowledgedWrites::isNoScript,
                                error -> connection
                                        .scriptingCommands()
                                        .eval(
                                                RENEW_TEXT.duplicate(),
                                                ReturnType.MULTI,
                                                keyCount,
                                                rewound(keysAndArgs))))
                .subscribeOn(sender())
                .collectList()
                .toFuture()
                .thenApply(RedisLeaseStore::renewalAnswers);
    }

    private static ByteBuffer[] rewound(ByteBuffer[] buffers) {
        ByteBuffer[] copies = new ByteBuffer[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            copies[i] = buffers[i].duplicate().rewind();
        }
        return copies;
    }

    /** One answer per election: an integer, or the text of the error Redis raised for it. */
    private static List<?> renewalAnswers(List<Object> reply) {
        List<?> answers = reply.size() == 1 && reply.get(0) instanceof List<?> nested ? nested : reply;
        List<Object> decoded = new ArrayList<>(answers.size());
        for (Object answer : answers) {
            decoded.add(
                    answer instanceof ByteBuffer bytes
                            ? StandardCharsets.UTF_8.decode(bytes).toString()
                            : answer);
        }
        return decoded;
    }

    @Override
    public CompletionStage<Boolean> release(String election, LeaseToken token) {
        RedisKeys electionKeys = keys(election);
        return run(
                        RELEASE,
                        electionKeys.leaseAndTerm(),
                        token.encoded(),
                        electionKeys.releaseChannel(),
                        releases.sharded() ? "1" : "0")
                .thenApply(FREED);
    }

    /**
     * Reads who holds the lease now, if anyone: the lease's holder, else the holder of a term that
     * outlived its lease key. An election held back by the restart guard (after a restart or a
     * failover) reads as free.
     */
    @Override
    public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
        return run(INSPECT, keys(election).leaseAndTerm())
                .thenApply(reply -> reply.isEmpty() ? Optional.empty() : Optional.of(holder(reply, 0)));
    }

    @Override
    public Subscription subscribe(String election, LeaseChangeListener listener) {
        return polls.subscribe(election, keys(election), listener);
    }

    /**
     * Reads the candidates' sorted set and the presence channels subscribed now ({@code PUBSUB
     * CHANNELS}), on the Redis clock: {@code lastSeen} is Redis {@code TIME}, now for a presence.
     */
    @Override
    public CompletionStage<List<Candidate>> candidates(String election) {
        RedisKeys electionKeys = keys(election);
        return run(CANDIDATES, List.of(electionKeys.candidates()), electionKeys.presencePrefix())
                .thenApply(RedisLeaseStore::toCandidates);
    }

    @Override
    public String kind() {
        return "redis";
    }

    /** Accepts letters, digits, '.', '_', ':' and '-': the name becomes part of the keys' hash tag. */
    @Override
    public void checkElectionName(String election) {
        if (!RedisKeys.isValidName(election)) {
            throw new IllegalArgumentException(RedisKeys.NAME_RULE);
        }
    }

    /** The key prefix of this store. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** Whether this store holds back grants after Redis restarts or fails over and may have lost writes. */
    public boolean restartGuard() {
        return restartGuard;
    }

    /** How many replicas must acknowledge each grant and renewal; 0 when none must. */
    public int minReplicasAcked() {
        return acknowledged != null ? acknowledged.minReplicas() : 0;
    }

    /**
     * Loads the scripts into Redis, waiting at most {@link #WARM_UP_TIMEOUT}, so that the first
     * election call finds the connection open and its script cached; warns if Redis may evict the
     * election keys; then listens for releases. An unreachable Redis does not fail startup: the
     * electors stand by until it answers, and the warm-up is tried again in the background, with
     * back-off, until it succeeds.
     *
     * @throws IllegalStateException if Redis answers at startup but refuses the connected user a
     *     command the store needs; the message names the commands and the {@link RedisAcl} rule
     */
    @Override
    public void start() {
        if (acknowledged != null) {
            acknowledged.open(); // in the background, ready for the permission check and first grant
        }
        if (!warmedUp) {
            permissionsChecked = true; // here, if Redis answers this warm-up
            warmUpOrRetry(ReleaseSubscriptions.FIRST_RETRY);
            sendsInline = warmedUp && sendsWithoutBlocking;
            if (warmedUp || warmUpRefused) {
                // Redis answers: a missing permission stops startup here, not at the first renewal.
                PermissionCheck.run(redis, keyPrefix, restartGuard, acknowledged, dispatch, WARM_UP_TIMEOUT);
            } else {
                permissionsChecked = false; // by the background warm-up that succeeds, as an error log
            }
        }
        releases.start();
    }

    private void warmUpOrRetry(Duration nextRetry) {
        if (warmUp()) {
            warmedUp = true;
            RedisKeys warmUpKeys = RedisKeys.of(keyPrefix, WARM_UP_ELECTION);
            new ClientWarmUp(
                            List.of(() -> run(INSPECT, warmUpKeys.leaseAndTerm()), () -> pttl(warmUpKeys.lease())),
                            this::onDispatchThread,
                            dispatch::isDisposed)
                    .start();
            EvictionCheck.run(redis, dispatch, WARM_UP_TIMEOUT);
            if (!permissionsChecked) {
                permissionsChecked = true;
                PermissionCheck.runAndLog(redis, keyPrefix, restartGuard, acknowledged, dispatch, WARM_UP_TIMEOUT);
            }
            return;
        }
        Duration doubled = nextRetry.multipliedBy(2);
        Duration after =
                doubled.compareTo(ReleaseSubscriptions.MAX_RETRY) < 0 ? doubled : ReleaseSubscriptions.MAX_RETRY;
        try {
            background.schedule(() -> warmUpOrRetry(after), nextRetry.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ex) {
            // closed meanwhile: nothing to warm up any more
        }
    }

    /** Stops listening for releases; commands keep working. */
    @Override
    public void stop() {
        releases.stop();
    }

    /** Stops listening for releases and sending commands, for good; later calls fail. */
    @Override
    public void close() {
        releases.close();
        if (acknowledged != null) {
            acknowledged.close();
        }
        background.shutdownNow();
        dispatch.dispose();
    }

    private boolean warmUp() {
        long started = System.nanoTime();
        try {
            CompletableFuture<Void> call = warmingUp;
            if (call == null || call.isDone()) {
                call = Flux.just(ACQUIRE, RENEW, RELEASE, INSPECT, CANDIDATES)
                        .concatMap(script -> redis.execute(connection -> connection
                                .scriptingCommands()
                                .scriptLoad(ByteBuffer.wrap(
                                        script.getScriptAsString().getBytes(StandardCharsets.UTF_8)))))
                        // then one read-only call down the path that every election call takes
                        .thenMany(redis.execute(
                                INSPECT,
                                RedisKeys.of(keyPrefix, WARM_UP_ELECTION).leaseAndTerm()))
                        .subscribeOn(dispatch)
                        .then()
                        .toFuture();
                warmingUp = call;
            }
            awaitWithoutCancelling(call, WARM_UP_TIMEOUT);
            log.debug("Loaded the election scripts in {} ms", (System.nanoTime() - started) / 1_000_000);
            if (warmUpFailed) {
                log.info("Redis loaded the election scripts");
            }
            return true;
        } catch (RuntimeException ex) {
            warmUpRefused = PermissionCheck.isRefusal(ex);
            if (!warmUpFailed) {
                warmUpFailed = true;
                log.info(
                        "Redis did not load the election scripts at startup ({}); electors stand by until it answers, and the scripts load once it does",
                        ErrorDescriptions.describe(ex));
            }
            return false;
        }
    }

    /**
     * Waits for {@code call} at most {@code timeout}, and leaves it running when the time is up:
     * cancelling would interrupt the connection being opened (a cluster's first one reads the whole
     * topology and can take longer than the wait), and every warm-up would start it over.
     */
    private static void awaitWithoutCancelling(CompletableFuture<Void> call, Duration timeout) {
        try {
            call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException ex) {
            throw ex.getCause() instanceof RuntimeException failure
                    ? failure
                    : new IllegalStateException(ex.getCause());
        } catch (TimeoutException ex) {
            throw new IllegalStateException("Redis did not answer within " + timeout.toMillis() + " ms", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while loading the scripts", ex);
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    private RedisKeys keys(String election) {
        return keys.computeIfAbsent(election, name -> RedisKeys.of(keyPrefix, name));
    }

    private <T> CompletableFuture<T> run(RedisScript<T> script, List<String> scriptKeys, String... args) {
        return redis.execute(script, scriptKeys, List.of(args))
                .subscribeOn(sender())
                .single()
                .toFuture();
    }

    /**
     * Where a call is sent from. Opening the shared connection blocks, so unless the warm-up of
     * {@link #start()} opened it before the electors started, and always where getting it may block
     * (connection validation, no shared connection), calls go out from the store's own thread, in
     * the order they are made. Otherwise the caller's thread sends at once, without the hop to that
     * thread; Lettuce keeps the order of the calls of each thread, and an election makes its calls
     * from its own.
     */
    private Scheduler sender() {
        return sendsInline && !dispatch.isDisposed() ? Schedulers.immediate() : dispatch;
    }

    /** Rounded up: a lease sent to Redis must never be shorter than the one the elector counts on. */
    static String wholeMillis(Duration ttl) {
        long millis = ttl.toMillis();
        return Long.toString(ttl.toNanosPart() % 1_000_000 == 0 ? millis : millis + 1);
    }

    /** One entry per instance: an instance that called with two leases is listed twice in the set. */
    private static List<Candidate> toCandidates(List<?> reply) {
        Map<String, Instant> latest = new LinkedHashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            Instant lastSeen = Instant.ofEpochMilli(((Number) reply.get(i + 1)).longValue());
            latest.merge(String.valueOf(reply.get(i)), lastSeen, (a, b) -> a.isAfter(b) ? a : b);
        }
        List<Candidate> candidates = new ArrayList<>();
        latest.forEach((instanceId, lastSeen) -> candidates.add(new Candidate(instanceId, lastSeen)));
        return candidates;
    }

    private static LeaseHolder holder(List<?> reply, int offset) {
        String holderToken = String.valueOf(reply.get(offset));
        long pttl = ((Number) reply.get(offset + 1)).longValue();
        return new LeaseHolder(LeaseToken.instanceIdOf(holderToken), pttl >= 0 ? Duration.ofMillis(pttl) : null);
    }

    private static boolean isOne(@Nullable Object reply) {
        return reply instanceof Number number && number.longValue() == 1;
    }

    /** Reads the script's text once: a script on a resource is checked for changes on every call. */
    private static <T> RedisScript<T> script(String name, Class<T> resultType) {
        try {
            String text = new ClassPathResource(name, RedisLeaseStore.class).getContentAsString(StandardCharsets.UTF_8);
            return RedisScript.of(text, resultType);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read the Lua script " + name, ex);
        }
    }

    /** Builds a {@link RedisLeaseStore}: key prefix {@value #DEFAULT_KEY_PREFIX}, restart guard on. */
    public static final class Builder {
        private final RedisConnectionFactory connectionFactory;
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private boolean restartGuard = true;
        private int minReplicasAcked;
        private Duration replicaWaitTimeout = Duration.ofMillis(500);

        private Builder(RedisConnectionFactory connectionFactory) {
            this.connectionFactory = connectionFactory;
        }

        /** The prefix of every key: letters, digits, '.', '_', ':' and '-'. */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
            return this;
        }

        /**
         * Whether to hold back grants for one lease duration when Redis may have lost the last grant
         * or renewal, so that a leader that still trusts its deadline has stepped down first. The
         * first acquire that finds the lease free compares the Redis process ({@code run_id} from
         * {@code INFO server}, new on every start) and its replication history ({@code
         * master_replid} from {@code INFO replication}, new on every start and promotion) with the
         * ones recorded in the election's {@code server} key. When they differ or none are recorded
         * (a promoted replica, a fail-back, a restart with or without data, a new election), it
         * records them and grants nothing for one lease from then. A server without {@code run_id}
         * (DragonFly) is compared by {@code master_replid} alone.
         *
         * <p>Costs one lease of waiting at an election's first grant (even on a Redis that has run
         * for long), after every failover or restart the first time the lease is free, and once
         * after upgrading from a version that recorded no {@code master_replid}. Acquires that find
         * the lease held never read {@code INFO}.
         */
        public Builder restartGuard(boolean restartGuard) {
            this.restartGuard = restartGuard;
            return this;
        }

        /**
         * How many replicas must acknowledge each grant and renewal before it counts ({@code WAIT
         * minReplicasAcked waitTimeout}); 0, the default, confirms nothing. A grant or renewal that
         * fewer replicas acknowledge within {@code waitTimeout} fails, so a leader steps down and a
         * candidate does not lead while the replicas are away; each replica that acknowledged has
         * every grant and renewal that counted (with as many as there are replicas, any replica that
         * Sentinel promotes). Grants and renewals then go out on a connection of the store's own
         * from the factory's Lettuce client ({@code WAIT} blocks the connection it runs on and
         * covers only its writes); the shared connection carries the rest. Works on a {@code
         * LettuceConnectionFactory} on a single server or Sentinel, not on Cluster. Keep {@code
         * waitTimeout} well inside the operation timeout: the engine bounds the whole call with it.
         *
         * @throws IllegalArgumentException if {@code minReplicasAcked} is negative
         */
        public Builder minReplicasAcked(int minReplicasAcked, Duration waitTimeout) {
            if (minReplicasAcked < 0) {
                throw new IllegalArgumentException("minReplicasAcked must not be negative, was " + minReplicasAcked);
            }
            this.minReplicasAcked = minReplicasAcked;
            this.replicaWaitTimeout = waitTimeout;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the factory has no reactive access, the prefix has
         *     characters that would break the key layout, or replicas must acknowledge writes and
         *     the factory is not a {@code LettuceConnectionFactory} on a single server or Sentinel
         */
        public RedisLeaseStore build() {
            return new RedisLeaseStore(this);
        }
    }
}
