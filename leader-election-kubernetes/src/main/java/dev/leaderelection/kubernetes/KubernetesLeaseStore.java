package dev.leaderelection.kubernetes;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.ExpiryEnforcement;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LeaseStore} on Kubernetes: one {@code coordination.k8s.io/v1} Lease per election, named
 * by the lease prefix and the election, in one namespace.
 *
 * <p><b>Expiry is judged by the observers</b> ({@link ExpiryEnforcement#OBSERVERS}), as client-go
 * judges it: this client remembers, per election, the last version of the record it saw (holder,
 * term, renew time) and when it first saw it on its own monotonic clock, and takes a Lease held by
 * another only after a whole {@code leaseDurationSeconds} (the lease rounded up to whole seconds)
 * has passed since. The API server's and the other instances' clocks are never compared.
 *
 * <p><b>Every write is an optimistic update</b> on the {@code resourceVersion} that was read; a
 * conflict (409) means another writer came first, and the answer is "not granted" or {@code false}
 * unless a fresh read shows the record still ours (a candidate's announcement changed the version).
 *
 * <p><b>Fencing tokens</b> sit in an annotation, incremented on every grant and floored at this
 * client's clock in microseconds, so deleting the Lease does not send them back.
 *
 * <p><b>Candidates</b> are annotations on the election's Lease. An acquire reads the Lease anyway:
 * when this instance's last announcement is older than a lease, the read is a merge patch of its
 * announcement, which answers with the Lease like a read, so an idle follower makes one request per
 * lease. The holder's renewals carry its own announcement and drop the stale ones.
 *
 * <p><b>Wake-ups:</b> one watch on the namespace's Leases per store; a holder cleared (release) or
 * a Lease deleted wakes the election's subscribers, a new holder is announced as a grant.
 *
 * <p>The fabric8 client blocks on I/O, so every call runs on a small pool of the store's own; the
 * caller's thread never waits.
 */
public class KubernetesLeaseStore implements LeaseStore {

    /** The lease name prefix used unless another is given. */
    public static final String DEFAULT_LEASE_PREFIX = "leader-election-";

    private static final int HTTP_NOT_FOUND = 404;
    private static final int HTTP_CONFLICT = 409;
    /** Writes tried after a conflict that left the record ours or free, before answering "not proven". */
    private static final int ATTEMPTS = 3;

    private static final AtomicInteger STORES = new AtomicInteger();

    private final KubernetesClient client;
    private final String namespace;
    private final LeaseNames names;
    private final LeaseWatch watch;
    private final ExecutorService calls;
    private final boolean closesClient;
    private final Map<String, Observation> observations = new ConcurrentHashMap<>();
    /** The last Lease this client wrote or read, per Lease name: what renewals update. */
    private final Map<String, Lease> lastKnown = new ConcurrentHashMap<>();
    /** When this client last announced a candidate, per Lease name and instance id. */
    private final Map<String, Long> announcedAt = new ConcurrentHashMap<>();

    /** A version of an election's record, and when this client first saw it ({@link System#nanoTime()}). */
    private record Observation(String version, long since) {}

    /**
     * Creates a store of the Leases in {@code namespace} whose names start with {@code leasePrefix}.
     *
     * @throws IllegalArgumentException if the prefix cannot start a Kubernetes object name
     */
    public KubernetesLeaseStore(KubernetesClient client, String namespace, String leasePrefix) {
        this(client, namespace, leasePrefix, false);
    }

    /**
     * A store that owns {@code client}: {@link #close()} closes it too. For a client built for the
     * store alone, such as one from the default configuration.
     */
    public static KubernetesLeaseStore owning(KubernetesClient client, String namespace, String leasePrefix) {
        return new KubernetesLeaseStore(client, namespace, leasePrefix, true);
    }

    private KubernetesLeaseStore(KubernetesClient client, String namespace, String leasePrefix, boolean closesClient) {
        this.closesClient = closesClient;
        if (namespace.isBlank()) {
            throw new IllegalArgumentException("namespace must not be blank");
        }
        this.client = client;
        this.namespace = namespace;
        this.names = new LeaseNames(leasePrefix);
        this.watch = new LeaseWatch(client, namespace, names);
        int number = STORES.incrementAndGet();
        this.calls = Executors.newFixedThreadPool(4, daemonThreads("leader-election-kubernetes-" + number + "-"));
    }

    public String namespace() {
        return namespace;
    }

    public String leasePrefix() {
        return names.prefix();
    }

    /** The name of the Lease that holds {@code election}. */
    public String leaseName(String election) {
        return names.leaseName(election);
    }

    @Override
    public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
        return call(() -> {
            String name = names.leaseName(election);
            for (int attempt = 0; ; attempt++) {
                Lease lease =
                        attempt == 0 ? readAnnouncing(election, name, token.instanceId(), ttl) : read(election, name);
                long now = System.nanoTime();
                if (lease != null && LeaseRecords.holder(lease) != null && !LeaseRecords.isHeldBy(lease, token)) {
                    Duration left = remaining(name, lease, now);
                    if (isPositive(left) || attempt == ATTEMPTS - 1) {
                        return new AcquireResult.Held(new LeaseHolder(LeaseRecords.holder(lease), positive(left)));
                    }
                }
                if (attempt == ATTEMPTS - 1) {
                    // free each time we read it, yet someone else wrote first each time
                    return new AcquireResult.Held(new LeaseHolder(
                            lease == null
                                    ? "(contended)"
                                    : Objects.requireNonNullElse(LeaseRecords.holder(lease), "(contended)"),
                            Duration.ZERO));
                }
                long fencingToken =
                        Math.max(lease == null ? 0 : LeaseRecords.fencingToken(lease), LeaseRecords.nowMicros()) + 1;
                Lease written = lease == null
                        ? create(name, LeaseRecords.created(name, namespace, election, token, ttl, fencingToken))
                        : update(name, LeaseRecords.granted(lease, token, ttl, fencingToken));
                if (written != null) {
                    announcedAt.put(name + " " + token.instanceId(), System.nanoTime());
                    return new AcquireResult.Granted(fencingToken);
                }
            }
        });
    }

    @Override
    public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
        return call(() -> {
            String name = names.leaseName(election);
            Lease lease = freshest(name);
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                if (lease == null || !LeaseRecords.isHeldBy(lease, token)) {
                    lease = read(election, name);
                    if (lease == null || !LeaseRecords.isHeldBy(lease, token)) {
                        return false;
                    }
                }
                if (update(name, LeaseRecords.renewed(lease, token, ttl)) != null) {
                    announcedAt.put(name + " " + token.instanceId(), System.nanoTime());
                    return true;
                }
                lease = null; // conflict: read again, it may still be ours
            }
            return false;
        });
    }

    @Override
    public CompletionStage<Boolean> release(String election, LeaseToken token) {
        return call(() -> {
            String name = names.leaseName(election);
            Lease lease = freshest(name);
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                if (lease == null || !LeaseRecords.isHeldBy(lease, token)) {
                    lease = read(election, name);
                    if (lease == null || !LeaseRecords.isHeldBy(lease, token)) {
                        return false;
                    }
                }
                if (update(name, LeaseRecords.released(lease)) != null) {
                    return true;
                }
                lease = null;
            }
            return false;
        });
    }

    @Override
    public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
        return call(() -> {
            String name = names.leaseName(election);
            Lease lease = read(election, name);
            if (lease == null || LeaseRecords.holder(lease) == null) {
                return Optional.empty();
            }
            Duration left = remaining(name, lease, System.nanoTime());
            return isPositive(left) ? Optional.of(new LeaseHolder(LeaseRecords.holder(lease), left)) : Optional.empty();
        });
    }

    @Override
    public CompletionStage<List<Candidate>> candidates(String election) {
        return call(() -> {
            Lease lease = read(election, names.leaseName(election));
            return lease == null ? List.of() : LeaseRecords.candidates(lease, Instant.now());
        });
    }

    @Override
    public Subscription subscribe(String election, LeaseChangeListener listener) {
        return watch.subscribe(names.leaseName(election), listener);
    }

    @Override
    public ExpiryEnforcement expiry() {
        return ExpiryEnforcement.OBSERVERS;
    }

    @Override
    public String kind() {
        return "kubernetes";
    }

    /**
     * Accepts any name whose Lease name fits Kubernetes' 253 characters; names that are not
     * already a valid object name are lower-cased, cleaned and given a hash of the original.
     */
    @Override
    public void checkElectionName(String election) {
        names.check(election);
    }

    /** Starts the watch on the namespace's Leases without waiting for the API server. */
    @Override
    public void start() {
        watch.start();
    }

    @Override
    public void stop() {
        watch.stop();
    }

    @Override
    public void close() {
        watch.stop();
        calls.shutdownNow();
        if (closesClient) {
            client.close();
        }
    }

    /** Whether the watch on the namespace's Leases is up. */
    public boolean isWatching() {
        return watch.isWatching();
    }

    /** Reads the Lease, or announces the candidate if its last announcement is older than a lease. */
    private @Nullable Lease readAnnouncing(String election, String name, String instanceId, Duration ttl) {
        String key = name + " " + instanceId;
        Long last = announcedAt.get(key);
        long now = System.nanoTime();
        if (last != null && now - last < ttl.toNanos()) {
            return read(election, name);
        }
        String patch = "{\"metadata\":{\"annotations\":{\"" + LeaseRecords.candidateKey(instanceId) + "\":"
                + json(LeaseRecords.candidateValue(instanceId, ttl, Instant.now())) + "}}}";
        Lease lease = mergePatch(name, patch);
        announcedAt.put(key, now);
        if (lease == null) {
            lastKnown.remove(name);
            return null;
        }
        return checked(election, name, lease);
    }

    /**
     * A JSON merge patch in one request: fabric8's own patch reads the object first, which would
     * make an idle follower's announcement cost two requests.
     */
    private @Nullable Lease mergePatch(String name, String patch) {
        String base = client.getMasterUrl().toString();
        String uri = (base.endsWith("/") ? base : base + "/") + "apis/coordination.k8s.io/v1/namespaces/" + namespace
                + "/leases/" + name;
        HttpRequest request = client.getHttpClient()
                .newHttpRequestBuilder()
                .uri(uri)
                .method("PATCH", "application/merge-patch+json", patch)
                .build();
        int timeout = client.getConfiguration().getRequestTimeout();
        HttpResponse<String> response;
        try {
            response = client.getHttpClient()
                    .sendAsync(request, String.class)
                    .get(timeout > 0 ? timeout : 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while patching Lease " + name, ex);
        } catch (ExecutionException | TimeoutException ex) {
            throw new KubernetesClientException("failed to patch Lease " + namespace + "/" + name, ex);
        }
        if (response.code() == HTTP_NOT_FOUND) {
            return null;
        }
        if (response.code() / 100 != 2) {
            throw new KubernetesClientException(
                    "PATCH of Lease " + namespace + "/" + name + " answered " + response.code() + ": "
                            + response.body(),
                    response.code(),
                    null);
        }
        return client.getKubernetesSerialization().unmarshal(response.body(), Lease.class);
    }

    private @Nullable Lease read(String election, String name) {
        Lease lease = lease(name).get();
        if (lease == null) {
            lastKnown.remove(name);
            return null;
        }
        return checked(election, name, lease);
    }

    private Lease checked(String election, String name, Lease lease) {
        String owner = LeaseRecords.election(lease);
        if (owner != null && !owner.equals(election)) {
            throw new IllegalStateException(
                    "Lease " + namespace + "/" + name + " belongs to election '" + owner + "', not '" + election + "'");
        }
        lastKnown.put(name, lease);
        return lease;
    }

    /** Creates the Lease; {@code null} if another client created it first. */
    private @Nullable Lease create(String name, Lease lease) {
        try {
            return wrote(
                    name, client.leases().inNamespace(namespace).resource(lease).create());
        } catch (KubernetesClientException ex) {
            if (ex.getCode() == HTTP_CONFLICT) {
                return null;
            }
            throw ex;
        }
    }

    /** Updates the Lease on the resource version it was read at; {@code null} on a conflict or if it is gone. */
    private @Nullable Lease update(String name, Lease lease) {
        try {
            return wrote(
                    name, client.leases().inNamespace(namespace).resource(lease).update());
        } catch (KubernetesClientException ex) {
            if (ex.getCode() == HTTP_CONFLICT || ex.getCode() == HTTP_NOT_FOUND) {
                lastKnown.remove(name);
                return null;
            }
            throw ex;
        }
    }

    private Lease wrote(String name, Lease written) {
        lastKnown.put(name, written);
        observations.put(name, new Observation(LeaseRecords.observedVersion(written), System.nanoTime()));
        return written;
    }

    /**
     * What is left of {@code lease} for this client: its lease duration from this client's first
     * sight of this version of the record.
     */
    private Duration remaining(String name, Lease lease, long now) {
        String version = LeaseRecords.observedVersion(lease);
        Observation seen = observations.compute(
                name,
                (key, last) -> last != null && last.version().equals(version) ? last : new Observation(version, now));
        return LeaseRecords.leaseDuration(lease).minusNanos(now - seen.since());
    }

    /** The newer of this client's last copy and the watch's copy, so a renewal rarely meets a conflict. */
    private @Nullable Lease freshest(String name) {
        Lease own = lastKnown.get(name);
        Lease watched = watch.cached(name);
        if (own == null || watched == null) {
            return own;
        }
        return resourceVersion(watched) > resourceVersion(own) ? watched : own;
    }

    private static long resourceVersion(Lease lease) {
        try {
            return Long.parseLong(lease.getMetadata().getResourceVersion());
        } catch (RuntimeException ex) {
            return -1; // opaque: prefer this client's own copy
        }
    }

    private Resource<Lease> lease(String name) {
        return client.leases().inNamespace(namespace).withName(name);
    }

    private <T> CompletionStage<T> call(Supplier<T> operation) {
        try {
            return CompletableFuture.supplyAsync(operation, calls);
        } catch (RejectedExecutionException ex) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("the Kubernetes lease store is closed", ex));
        }
    }

    private static boolean isPositive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    private static Duration positive(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    private static String json(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
