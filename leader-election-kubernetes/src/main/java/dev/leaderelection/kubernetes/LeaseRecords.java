package dev.leaderelection.kubernetes;

import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseToken;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How an election's record sits in a Lease: the holder's instance id in {@code holderIdentity} (as
 * {@code kubectl get lease} shows it), the term's nonce, the fencing token and the candidates in
 * annotations. Every change returns a copy; the Lease that was read stays as it was.
 */
final class LeaseRecords {

    static final String DOMAIN = "leader-election.dev/";
    static final String ELECTION = DOMAIN + "election";
    static final String NONCE = DOMAIN + "holder-nonce";
    static final String FENCING_TOKEN = DOMAIN + "fencing-token";
    static final String CANDIDATE_PREFIX = "candidate." + DOMAIN;
    static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    static final String MANAGED_BY = "leader-election";

    private LeaseRecords() {}

    /** A lease duration in whole seconds, rounded up, as {@code leaseDurationSeconds} holds it. */
    static int wholeSeconds(Duration ttl) {
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
    }

    static @Nullable String holder(Lease lease) {
        String holder = lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
        return holder == null || holder.isEmpty() ? null : holder;
    }

    static boolean isHeldBy(Lease lease, LeaseToken token) {
        return token.instanceId().equals(holder(lease)) && token.nonce().equals(annotation(lease, NONCE));
    }

    static Duration leaseDuration(Lease lease) {
        Integer seconds = lease.getSpec() == null ? null : lease.getSpec().getLeaseDurationSeconds();
        return Duration.ofSeconds(seconds == null ? 0 : seconds);
    }

    static long fencingToken(Lease lease) {
        String value = annotation(lease, FENCING_TOKEN);
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException ex) {
            return 0;
        }
    }

    /**
     * What an observer compares to tell whether the holder is still renewing: the holder, its
     * term and renew time, as client-go compares the whole record. Candidate announcements, which
     * change the resource version, leave it as it is.
     */
    static String observedVersion(Lease lease) {
        LeaseSpec spec = lease.getSpec() == null ? new LeaseSpec() : lease.getSpec();
        return String.join(
                "|",
                String.valueOf(spec.getHolderIdentity()),
                String.valueOf(annotation(lease, NONCE)),
                String.valueOf(annotation(lease, FENCING_TOKEN)),
                String.valueOf(spec.getLeaseTransitions()),
                String.valueOf(spec.getLeaseDurationSeconds()),
                instantOf(spec.getAcquireTime()),
                instantOf(spec.getRenewTime()));
    }

    /** A new Lease granted to {@code token}. */
    static Lease created(
            String name, String namespace, String election, LeaseToken token, Duration ttl, long fencingToken) {
        Lease lease = new LeaseBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .addToLabels(MANAGED_BY_LABEL, MANAGED_BY)
                .addToAnnotations(ELECTION, election)
                .endMetadata()
                .withNewSpec()
                .endSpec()
                .build();
        return granted(lease, token, ttl, fencingToken);
    }

    /** {@code lease} granted to {@code token}: a new term, with the next fencing token. */
    static Lease granted(Lease lease, LeaseToken token, Duration ttl, long fencingToken) {
        Lease next = copy(lease);
        ZonedDateTime now = nextRenewTime(lease);
        LeaseSpec spec = next.getSpec();
        Integer transitions = spec.getLeaseTransitions();
        spec.setHolderIdentity(token.instanceId());
        spec.setLeaseDurationSeconds(wholeSeconds(ttl));
        spec.setAcquireTime(now);
        spec.setRenewTime(now);
        spec.setLeaseTransitions(transitions == null ? 0 : transitions + 1);
        Map<String, String> annotations = annotations(next);
        annotations.put(NONCE, token.nonce());
        annotations.put(FENCING_TOKEN, Long.toString(fencingToken));
        announce(next, token.instanceId(), ttl);
        return next;
    }

    /** {@code lease} renewed by its holder for {@code ttl} from now. */
    static Lease renewed(Lease lease, LeaseToken token, Duration ttl) {
        Lease next = copy(lease);
        next.getSpec().setRenewTime(nextRenewTime(lease));
        next.getSpec().setLeaseDurationSeconds(wholeSeconds(ttl));
        announce(next, token.instanceId(), ttl);
        return next;
    }

    /** {@code lease} freed, as client-go's ReleaseOnCancel frees it: no holder, a lease of one second. */
    static Lease released(Lease lease) {
        Lease next = copy(lease);
        next.getSpec().setHolderIdentity(null);
        next.getSpec().setLeaseDurationSeconds(1);
        next.getSpec().setRenewTime(nextRenewTime(lease));
        annotations(next).remove(NONCE);
        return next;
    }

    /** Adds or refreshes {@code instanceId}'s candidate announcement and drops the stale ones. */
    static void announce(Lease lease, String instanceId, Duration ttl) {
        Map<String, String> annotations = annotations(lease);
        Instant now = Instant.now();
        annotations
                .entrySet()
                .removeIf(entry ->
                        entry.getKey().startsWith(CANDIDATE_PREFIX) && parseCandidate(entry.getValue(), now) == null);
        annotations.put(candidateKey(instanceId), candidateValue(instanceId, ttl, now));
    }

    static String candidateKey(String instanceId) {
        return CANDIDATE_PREFIX + LeaseNames.hash(instanceId).substring(0, 16);
    }

    /** {@code <last seen, epoch millis> <ttl millis> <instance id>}. */
    static String candidateValue(String instanceId, Duration ttl, Instant now) {
        return now.toEpochMilli() + " " + ttl.toMillis() + " " + instanceId;
    }

    /** The candidates still listed at {@code now}: two of their ttls after their last announcement. */
    static List<Candidate> candidates(Lease lease, Instant now) {
        List<Candidate> candidates = new ArrayList<>();
        Map<String, String> annotations = lease.getMetadata().getAnnotations();
        if (annotations != null) {
            annotations.forEach((key, value) -> {
                if (key.startsWith(CANDIDATE_PREFIX)) {
                    Candidate candidate = parseCandidate(value, now);
                    if (candidate != null) {
                        candidates.add(candidate);
                    }
                }
            });
        }
        return candidates;
    }

    private static @Nullable Candidate parseCandidate(String value, Instant now) {
        String[] parts = value.split(" ", 3);
        try {
            Instant lastSeen = Instant.ofEpochMilli(Long.parseLong(parts[0]));
            Duration ttl = Duration.ofMillis(Long.parseLong(parts[1]));
            return parts.length == 3 && lastSeen.plus(ttl.multipliedBy(2)).isAfter(now)
                    ? new Candidate(parts[2], lastSeen)
                    : null;
        } catch (RuntimeException ex) {
            return null;
        }
    }

    static @Nullable String annotation(Lease lease, String key) {
        Map<String, String> annotations =
                lease.getMetadata() == null ? null : lease.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }

    /** Which election a Lease says it belongs to, if it says. */
    static @Nullable String election(Lease lease) {
        return annotation(lease, ELECTION);
    }

    /** The micros clock that fencing tokens are floored at. */
    static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    /**
     * Now, in microseconds, but always after the Lease's last renew time: an observer restarts its
     * watch only when the record changes, so two writes must never leave the same renew time.
     */
    private static ZonedDateTime nextRenewTime(Lease lease) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        ZonedDateTime last = lease.getSpec() == null ? null : lease.getSpec().getRenewTime();
        if (last != null && !now.isAfter(last.toInstant())) {
            now = last.toInstant().truncatedTo(ChronoUnit.MICROS).plus(1, ChronoUnit.MICROS);
        }
        return now.atZone(ZoneOffset.UTC);
    }

    private static String instantOf(@Nullable ZonedDateTime time) {
        return time == null ? "-" : time.toInstant().toString();
    }

    private static Map<String, String> annotations(Lease lease) {
        ObjectMeta metadata = lease.getMetadata();
        if (metadata.getAnnotations() == null) {
            metadata.setAnnotations(new HashMap<>());
        } else {
            metadata.setAnnotations(new HashMap<>(metadata.getAnnotations()));
        }
        return metadata.getAnnotations();
    }

    private static Lease copy(Lease lease) {
        Lease copy = new LeaseBuilder(lease).build();
        if (copy.getSpec() == null) {
            copy.setSpec(new LeaseSpec());
        }
        Objects.requireNonNull(copy.getMetadata(), "a Lease read from the API server has metadata");
        return copy;
    }
}
