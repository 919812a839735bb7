package dev.leaderelection.etcd;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LeaseStore} on etcd through jetcd. Every call is one etcd transaction (plus the lease
 * calls it needs), and every read is linearizable: a member cut off from its cluster's quorum
 * answers nothing rather than something stale.
 *
 * <ul>
 *   <li><b>Acquire</b> grants an etcd lease of the TTL rounded up to whole seconds (etcd raises it
 *       to its own minimum), then, in one transaction, writes the leader key and a term key bound to
 *       it if neither exists ({@code create_revision == 0}), or rewrites them if the term key holds
 *       the caller's token; otherwise it reads the holder and its TTL (the {@code ttl} key). While
 *       the watch is up, an election this store found held and whose term key the watch has not
 *       seen deleted since is only read, in one transaction: an idle follower sends one request
 *       per acquire, and one acquire per lease. Without the watch the holder's remaining time
 *       comes from {@code LeaseTimeToLive}.
 *   <li><b>Renew</b> refreshes the holder's lease with a single keep-alive (never jetcd's background
 *       keep-alive stream, whose failures the engine could not see in time), then checks in a
 *       transaction that both keys still carry the caller's token.
 *   <li><b>Release</b> deletes both keys in a transaction that compares the token, then revokes the
 *       lease.
 *   <li><b>Fencing token</b>: the revision of the grant (the leader key's {@code mod_revision}) plus
 *       the election's base, microseconds of the client's clock written once into the election's
 *       record key when it is missing (a new election, a new or wiped cluster), so that tokens stay
 *       above every earlier one even when the cluster starts its revisions again.
 *   <li><b>Wake-ups</b>: one watch per store on the key prefix ({@link EtcdWakeUps}).
 *   <li><b>Candidates</b>: every acquire and renew writes {@code candidates/<instanceId>} in its
 *       transaction, bound to a long candidate lease that is never kept alive ({@link
 *       CandidateLeases}); {@link #candidates} lists a key for two TTLs after its last write.
 * </ul>
 *
 * <p>The store owns its {@link Client} and closes it in {@link #close()}. Calls never block the
 * caller: jetcd answers on its own threads.
 */
public class EtcdLeaseStore implements LeaseStore {

    /** The key prefix used unless another is given. */
    public static final String DEFAULT_KEY_PREFIX = "/leader-election/";

    private static final GetOption LINEARIZABLE =
            GetOption.builder().withSerializable(false).build();

    private final Client client;
    private final KV kv;
    private final Lease leases;
    private final String keyPrefix;
    private final Clock clock;
    private final Map<String, EtcdKeys> keys = new ConcurrentHashMap<>();
    /** The etcd lease of this store's last grant per election, for the renew's keep-alive. */
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();

    /**
     * An etcd lease per TTL that an acquire found the election held with, for the next acquire: a
     * keep-alive makes it whole again without a Raft write, where a grant costs one (and its expiry
     * another).
     */
    private final Map<Long, Spare> spareLeases = new ConcurrentHashMap<>();

    /** The watch's {@link EtcdWakeUps#mark mark} when this store's last acquire found each election held. */
    private final Map<String, EtcdWakeUps.Mark> heldSeen = new ConcurrentHashMap<>();

    private final CandidateLeases candidateLeases;
    private final EtcdWakeUps wakeUps;

    /**
     * Creates a store on {@code client}, which it owns from now on and closes in {@link #close()}.
     *
     * @throws IllegalArgumentException if the key prefix is empty
     */
    public EtcdLeaseStore(Client client, String keyPrefix) {
        this(client, keyPrefix, Clock.systemUTC());
    }

    EtcdLeaseStore(Client client, String keyPrefix, Clock clock) {
        if (keyPrefix.isEmpty()) {
            throw new IllegalArgumentException("The etcd key prefix must not be empty");
        }
        this.client = client;
        this.kv = client.getKVClient();
        this.leases = client.getLeaseClient();
        this.keyPrefix = keyPrefix;
        this.clock = clock;
        this.candidateLeases = new CandidateLeases(leases);
        this.wakeUps = new EtcdWakeUps(client, keyPrefix);
    }

    /**
     * A jetcd client builder for {@code endpoints} with what the store relies on: calls fail at once
     * while no member is reachable (no wait for a connection, no retries behind the engine's back),
     * so that the engine, which bounds every call, sees the failure; a dead connection is noticed
     * within seconds (gRPC keep-alive pings, not lease keep-alives).
     */
    public static ClientBuilder clientBuilder(List<String> endpoints) {
        return Client.builder()
                .endpoints(endpoints.toArray(String[]::new))
                .waitForReady(false)
                .retryMaxAttempts(0)
                .connectTimeout(Duration.ofSeconds(2))
                .keepaliveTime(Duration.ofSeconds(5))
                .keepaliveTimeout(Duration.ofSeconds(2));
    }

    /**
     * One transaction when the watch says the election is held still (an idle follower's call: one
     * request, see {@link #probe}); otherwise a fresh lease, then the granting transaction.
     */
    @Override
    public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
        EtcdWakeUps.Mark mark = wakeUps.mark(election);
        EtcdWakeUps.Mark seen = heldSeen.get(election);
        CompletionStage<AcquireResult> answer = mark != null && mark.equals(seen)
                ? probe(election, token, ttl, mark)
                : grantOrRead(election, token, ttl, mark);
        return answer.whenComplete((result, failure) -> {
            if (failure != null) {
                candidateLeases.forget(election, token.instanceId());
            }
        });
    }

    /**
     * The election was held at this store's last acquire and the watch has stayed up since without
     * seeing its term key deleted: one transaction that only reads the holder (and writes the
     * candidate key) if it is held still; if it is free after all, or held with the caller's token,
     * the full path follows.
     */
    private CompletionStage<AcquireResult> probe(
            String election, LeaseToken token, Duration ttl, EtcdWakeUps.Mark mark) {
        EtcdKeys electionKeys = keys(election);
        ByteSequence ours = EtcdKeys.bytes(token.encoded());
        return candidateLeases
                .forCall(election, token.instanceId(), ttl)
                .thenCompose(candidateLease -> kv.txn()
                        .If(
                                new Cmp(electionKeys.leader(), Cmp.Op.EQUAL, CmpTarget.createRevision(0)),
                                new Cmp(electionKeys.term(), Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                        .Then()
                        .Else(Op.txn(
                                new Cmp[] {new Cmp(electionKeys.term(), Cmp.Op.EQUAL, CmpTarget.value(ours))},
                                new Op[0],
                                heldReads(electionKeys, token, ttl, candidateLease)))
                        .commit()
                        .thenCompose(response -> {
                            if (response.isSucceeded()
                                    || response.getTxnResponses().get(0).isSucceeded()) {
                                heldSeen.remove(election);
                                return grantOrRead(election, token, ttl, wakeUps.mark(election));
                            }
                            return held(election, response.getTxnResponses().get(0), mark);
                        }));
    }

    private CompletionStage<AcquireResult> grantOrRead(
            String election, LeaseToken token, Duration ttl, EtcdWakeUps.@Nullable Mark mark) {
        EtcdKeys electionKeys = keys(election);
        ByteSequence ours = EtcdKeys.bytes(token.encoded());
        long seconds = wholeSeconds(ttl);
        CompletableFuture<Spare> lease = freshLease(seconds);
        CompletableFuture<Long> candidateLease = candidateLeases.forCall(election, token.instanceId(), ttl);
        return lease.thenCombine(candidateLease, SparePair::new).thenCompose(pair -> {
            long micros = nowMicros();
            Op[] grant = {
                Op.put(electionKeys.leader(), ours, onLease(pair.lease().id())),
                Op.put(electionKeys.term(), ours, onLease(pair.lease().id())),
                Op.put(
                        electionKeys.ttl(),
                        EtcdKeys.bytes(Long.toString(seconds)),
                        onLease(pair.lease().id())),
                candidatePut(electionKeys, token, ttl, pair.candidateLease()),
                Op.get(electionKeys.record(), GetOption.DEFAULT),
                Op.txn(
                        new Cmp[] {new Cmp(electionKeys.record(), Cmp.Op.EQUAL, CmpTarget.createRevision(0))},
                        new Op[] {
                            Op.put(electionKeys.record(), EtcdKeys.bytes(Long.toString(micros)), PutOption.DEFAULT)
                        },
                        new Op[0])
            };
            return kv.txn()
                    .If(
                            new Cmp(electionKeys.leader(), Cmp.Op.EQUAL, CmpTarget.createRevision(0)),
                            new Cmp(electionKeys.term(), Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(grant)
                    .Else(Op.txn(
                            new Cmp[] {new Cmp(electionKeys.term(), Cmp.Op.EQUAL, CmpTarget.value(ours))},
                            grant,
                            heldReads(electionKeys, token, ttl, pair.candidateLease())))
                    .commit()
                    .thenCompose(response -> {
                        TxnResponse branch = response.isSucceeded()
                                ? response
                                : response.getTxnResponses().get(0);
                        if (response.isSucceeded() || branch.isSucceeded()) {
                            heldSeen.remove(election);
                            long revision = response.getHeader().getRevision();
                            grants.put(
                                    election,
                                    new Grant(token.encoded(), pair.lease().id(), seconds));
                            long base = base(branch.getGetResponses().get(0), micros);
                            return CompletableFuture.completedFuture(
                                    (AcquireResult) new AcquireResult.Granted(base + revision));
                        }
                        // Unused: kept for the next acquire of this TTL, if it comes within the lease's TTL.
                        spareLeases.put(seconds, pair.lease());
                        return held(election, branch, mark);
                    });
        });
    }

    /** What an acquire that finds the election held reads and writes: holder, term, TTL; the candidate key. */
    private Op[] heldReads(EtcdKeys electionKeys, LeaseToken token, Duration ttl, long candidateLease) {
        return new Op[] {
            Op.get(electionKeys.leader(), GetOption.DEFAULT),
            Op.get(electionKeys.term(), GetOption.DEFAULT),
            Op.get(electionKeys.ttl(), GetOption.DEFAULT),
            candidatePut(electionKeys, token, ttl, candidateLease)
        };
    }

    /**
     * The holder from {@link #heldReads}. While the watch is up ({@code mark} not null), its
     * remaining time is the holder's TTL, an upper bound read in the same transaction: the watch
     * wakes followers when the lease actually ends, so the bound costs no takeover time and saves
     * the {@code LeaseTimeToLive} request. Without the watch, {@code LeaseTimeToLive} tells.
     */
    private CompletionStage<AcquireResult> held(String election, TxnResponse branch, EtcdWakeUps.@Nullable Mark mark) {
        List<GetResponse> reads = branch.getGetResponses();
        KeyValue holder = first(reads.get(0))
                .orElseGet(() -> first(reads.get(1))
                        .orElseThrow(() -> new IllegalStateException(
                                "etcd answered that election '" + election + "' is held but named no holder")));
        Optional<Long> holderTtl = first(reads.get(2)).flatMap(EtcdLeaseStore::parseLong);
        if (mark != null) {
            heldSeen.put(election, mark);
            if (holderTtl.isPresent() && holderTtl.get() > 0) {
                String instanceId = LeaseToken.instanceIdOf(holder.getValue().toString(StandardCharsets.UTF_8));
                return CompletableFuture.completedFuture(
                        new AcquireResult.Held(new LeaseHolder(instanceId, Duration.ofSeconds(holderTtl.get()))));
            }
        }
        return holderOf(holder).thenApply(AcquireResult.Held::new);
    }

    /**
     * Refreshes the lease this store granted with a single keep-alive, then checks in a transaction
     * that both keys still carry the token: a check that passes saw them after the refresh. A TTL
     * other than the grant's, or a token this store did not grant, binds the keys to a new lease of
     * that TTL instead, in the checking transaction.
     */
    @Override
    public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
        EtcdKeys electionKeys = keys(election);
        ByteSequence ours = EtcdKeys.bytes(token.encoded());
        Cmp[] stillOurs = {
            new Cmp(electionKeys.leader(), Cmp.Op.EQUAL, CmpTarget.value(ours)),
            new Cmp(electionKeys.term(), Cmp.Op.EQUAL, CmpTarget.value(ours))
        };
        CompletableFuture<Long> candidateLease = candidateLeases.forCall(election, token.instanceId(), ttl);
        Grant grant = grantOf(election, token);
        long seconds = wholeSeconds(ttl);
        if (grant != null && grant.seconds() == seconds) {
            return forgetOnFailure(
                    election,
                    token,
                    keepAlive(grant.lease())
                            .thenCombine(candidateLease, LeasePair::new)
                            .thenCompose(pair -> {
                                if (pair.lease() == 0) {
                                    return CompletableFuture.completedFuture(false);
                                }
                                return kv.txn()
                                        .If(stillOurs)
                                        .Then(candidatePut(electionKeys, token, ttl, pair.candidateLease()))
                                        .Else(candidatePut(electionKeys, token, ttl, pair.candidateLease()))
                                        .commit()
                                        .thenApply(TxnResponse::isSucceeded);
                            }));
        }
        return forgetOnFailure(
                election,
                token,
                leases.grant(seconds)
                        .thenApply(granted -> granted.getID())
                        .thenCombine(candidateLease, LeasePair::new)
                        .thenCompose(pair -> kv.txn()
                                .If(stillOurs)
                                .Then(
                                        Op.get(electionKeys.term(), GetOption.DEFAULT),
                                        Op.put(electionKeys.leader(), ours, onLease(pair.lease())),
                                        Op.put(electionKeys.term(), ours, onLease(pair.lease())),
                                        Op.put(
                                                electionKeys.ttl(),
                                                EtcdKeys.bytes(Long.toString(seconds)),
                                                onLease(pair.lease())),
                                        candidatePut(electionKeys, token, ttl, pair.candidateLease()))
                                .Else(candidatePut(electionKeys, token, ttl, pair.candidateLease()))
                                .commit()
                                .thenApply(response -> {
                                    if (!response.isSucceeded()) {
                                        return false;
                                    }
                                    grants.put(election, new Grant(token.encoded(), pair.lease(), seconds));
                                    first(response.getGetResponses().get(0))
                                            .map(KeyValue::getLease)
                                            .filter(old -> old != 0 && old != pair.lease())
                                            .ifPresent(old -> leases.revoke(old).exceptionally(ex -> null));
                                    return true;
                                })));
    }

    private <T> CompletionStage<T> forgetOnFailure(String election, LeaseToken token, CompletionStage<T> call) {
        return call.whenComplete((result, failure) -> {
            if (failure != null) {
                candidateLeases.forget(election, token.instanceId());
            }
        });
    }

    @Override
    public CompletionStage<Boolean> release(String election, LeaseToken token) {
        EtcdKeys electionKeys = keys(election);
        ByteSequence ours = EtcdKeys.bytes(token.encoded());
        grants.remove(election, grantOf(election, token));
        return kv.txn()
                .If(new Cmp(electionKeys.term(), Cmp.Op.EQUAL, CmpTarget.value(ours)))
                .Then(
                        Op.get(electionKeys.term(), GetOption.DEFAULT),
                        Op.txn(
                                new Cmp[] {new Cmp(electionKeys.leader(), Cmp.Op.EQUAL, CmpTarget.value(ours))},
                                new Op[] {Op.delete(electionKeys.leader(), io.etcd.jetcd.options.DeleteOption.DEFAULT)},
                                new Op[0]),
                        Op.delete(electionKeys.term(), io.etcd.jetcd.options.DeleteOption.DEFAULT),
                        Op.delete(electionKeys.ttl(), io.etcd.jetcd.options.DeleteOption.DEFAULT))
                .commit()
                .thenApply(response -> {
                    if (!response.isSucceeded()) {
                        return false;
                    }
                    first(response.getGetResponses().get(0))
                            .map(KeyValue::getLease)
                            .filter(lease -> lease != 0)
                            // the keys are gone already: the revoke only frees the lease early
                            .ifPresent(lease -> leases.revoke(lease).exceptionally(ex -> null));
                    return true;
                });
    }

    /** Reads who holds the lease now: the leader key's holder, else the holder of a term that outlived it. */
    @Override
    public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
        EtcdKeys electionKeys = keys(election);
        return kv.txn()
                .Then(Op.get(electionKeys.leader(), GetOption.DEFAULT), Op.get(electionKeys.term(), GetOption.DEFAULT))
                .commit()
                .thenCompose(response -> {
                    List<GetResponse> reads = response.getGetResponses();
                    Optional<KeyValue> holder = first(reads.get(0)).or(() -> first(reads.get(1)));
                    return holder.isEmpty()
                            ? CompletableFuture.completedFuture(Optional.<LeaseHolder>empty())
                            : holderOf(holder.get()).thenApply(Optional::of);
                });
    }

    @Override
    public CompletionStage<List<Candidate>> candidates(String election) {
        EtcdKeys electionKeys = keys(election);
        return kv.get(
                        electionKeys.candidatesPrefix(),
                        GetOption.builder()
                                .withSerializable(false)
                                .isPrefix(true)
                                .build())
                .thenApply(response -> response.getKvs().stream()
                        .filter(this::listed)
                        .map(entry -> new Candidate(
                                entry.getKey()
                                        .toString(StandardCharsets.UTF_8)
                                        .substring(electionKeys
                                                .candidatesPrefixText()
                                                .length()),
                                lastSeen(entry)))
                        .toList());
    }

    @Override
    public Subscription subscribe(String election, LeaseChangeListener listener) {
        return wakeUps.subscribe(election, listener);
    }

    @Override
    public String kind() {
        return "etcd";
    }

    /** Accepts letters, digits, '.', '_', ':' and '-': the name is one segment of the keys. */
    @Override
    public void checkElectionName(String election) {
        if (!EtcdKeys.isValidName(election)) {
            throw new IllegalArgumentException(EtcdKeys.NAME_RULE);
        }
    }

    /**
     * Refuses leases under one second: etcd leases are whole seconds, so such a lease would be held
     * in etcd for a whole second (or etcd's larger minimum) while the leader counts the shorter one,
     * and followers would wait out the longer one.
     */
    @Override
    public void checkLeaseDuration(Duration leaseDuration) {
        if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(
                    "is shorter than etcd's shortest lease, 1 s: etcd leases are whole seconds (and etcd raises any"
                            + " TTL below 1.5 x its election timeout, 2 s by default); set at least 1s");
        }
    }

    /** The key prefix of this store. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /**
     * Opens the connection with one linearizable read, without waiting for it (an unreachable etcd
     * does not fail startup), and opens the watch that wakes followers.
     */
    @Override
    public void start() {
        kv.get(EtcdKeys.bytes(keyPrefix + "warm-up"), LINEARIZABLE).exceptionally(ex -> null);
        wakeUps.start();
    }

    /** Closes the watch; calls keep working. */
    @Override
    public void stop() {
        wakeUps.stop();
    }

    /** Closes the watch and the client, for good; later calls fail. */
    @Override
    public void close() {
        wakeUps.close();
        client.close();
    }

    private EtcdKeys keys(String election) {
        return keys.computeIfAbsent(election, name -> EtcdKeys.of(keyPrefix, name));
    }

    private @Nullable Grant grantOf(String election, LeaseToken token) {
        Grant grant = grants.get(election);
        return grant != null && grant.token().equals(token.encoded()) ? grant : null;
    }

    /**
     * A lease of {@code seconds} with its whole TTL ahead from a moment after this call was made:
     * the spare one, refreshed by a keep-alive that completes before the transaction that binds the
     * keys to it, else a new one. Never shared: a spare is taken out of the map before use.
     */
    private CompletableFuture<Spare> freshLease(long seconds) {
        Spare spare = spareLeases.remove(seconds);
        long now = System.nanoTime();
        // A spare that had its last refresh more than its TTL ago (less 100 ms) has ended: grant at once.
        boolean alive = spare != null && now - spare.refreshedAt() < seconds * 1_000_000_000L - 100_000_000L;
        CompletableFuture<Long> refreshed =
                alive ? keepAlive(spare.id()).exceptionally(ex -> 0L) : CompletableFuture.completedFuture(0L);
        return refreshed.thenCompose(kept -> kept != 0
                ? CompletableFuture.completedFuture(new Spare(kept, now))
                : leases.grant(seconds).thenApply(granted -> new Spare(granted.getID(), now)));
    }

    /** The lease if a single keep-alive found it alive, else 0. */
    private CompletableFuture<Long> keepAlive(long lease) {
        return leases.keepAliveOnce(lease).thenApply(response -> response.getTTL() > 0 ? lease : 0L);
    }

    private CompletableFuture<LeaseHolder> holderOf(KeyValue entry) {
        String instanceId = LeaseToken.instanceIdOf(entry.getValue().toString(StandardCharsets.UTF_8));
        if (entry.getLease() == 0) {
            return CompletableFuture.completedFuture(new LeaseHolder(instanceId, null));
        }
        return leases.timeToLive(entry.getLease(), LeaseOption.DEFAULT)
                .thenApply(ttl -> new LeaseHolder(instanceId, remaining(ttl.getTTL(), ttl.getGrantedTTL())));
    }

    /**
     * What a lease has left, from etcd's whole seconds rounded down: the next whole second up, at
     * most the granted TTL. Followers sleep until then at the latest; the watch wakes them when the
     * lease actually ends, so an upper bound costs no takeover time, where a lower one would send
     * them back early once more per lease.
     */
    static Duration remaining(long ttlSeconds, long grantedSeconds) {
        if (ttlSeconds <= 0) {
            return Duration.ZERO;
        }
        return Duration.ofSeconds(grantedSeconds > 0 ? Math.min(ttlSeconds + 1, grantedSeconds) : ttlSeconds + 1);
    }

    private Op candidatePut(EtcdKeys electionKeys, LeaseToken token, Duration ttl, long candidateLease) {
        return Op.put(
                electionKeys.candidate(token.instanceId()),
                EtcdKeys.bytes(clock.millis() + "/" + ttl.toMillis()),
                onLease(candidateLease));
    }

    /** Whether a candidate key is within two TTLs of its last call (its lease may outlive that). */
    private boolean listed(KeyValue entry) {
        String[] parts = entry.getValue().toString(StandardCharsets.UTF_8).split("/");
        if (parts.length != 2) {
            return true;
        }
        try {
            return clock.millis() <= Long.parseLong(parts[0]) + 2 * Long.parseLong(parts[1]);
        } catch (NumberFormatException ex) {
            return true;
        }
    }

    private long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, clock.instant());
    }

    /** The election's base: the record's, or ours when this transaction wrote the record. */
    private static long base(GetResponse record, long ours) {
        return first(record)
                .map(entry -> Long.parseLong(entry.getValue().toString(StandardCharsets.UTF_8)))
                .orElse(ours);
    }

    private static Instant lastSeen(KeyValue entry) {
        try {
            String value = entry.getValue().toString(StandardCharsets.UTF_8);
            int slash = value.indexOf('/');
            return Instant.ofEpochMilli(Long.parseLong(slash < 0 ? value : value.substring(0, slash)));
        } catch (NumberFormatException ex) {
            return Instant.EPOCH;
        }
    }

    private static Optional<KeyValue> first(GetResponse response) {
        return response.getKvs().stream().findFirst();
    }

    private static PutOption onLease(long lease) {
        return PutOption.builder().withLeaseId(lease).build();
    }

    /**
     * Rounded up to whole seconds, at least one: a lease sent to etcd must never be shorter than the
     * one the elector counts on. etcd raises a TTL below its own minimum to that minimum.
     */
    static long wholeSeconds(Duration ttl) {
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    private record LeasePair(long lease, long candidateLease) {}

    private record SparePair(Spare lease, long candidateLease) {}

    /** An etcd lease and when it was last granted or refreshed ({@link System#nanoTime()} before the call). */
    private record Spare(long id, long refreshedAt) {}

    private static Optional<Long> parseLong(KeyValue entry) {
        try {
            return Optional.of(Long.parseLong(entry.getValue().toString(StandardCharsets.UTF_8)));
        } catch (NumberFormatException ex) {
            return Optional.empty();
        }
    }

    private record Grant(String token, long lease, long seconds) {}
}
