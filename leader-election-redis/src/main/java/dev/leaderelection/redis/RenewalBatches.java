package dev.leaderelection.redis;

import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import reactor.core.scheduler.Scheduler;

/**
 * Gathers the renewals that fall due together into one {@code renew.lua} call. The engine puts
 * every renewal on a tick shared by the electors of a JVM, so a JVM that leads many elections
 * sends one call per tick instead of one per election: the first renewal of a tick waits {@link
 * #LINGER} for the others, at most {@link #MAX_BATCH} go in one call. On Redis Cluster a call
 * holds the elections of one hash slot only, as a script's keys must.
 *
 * <p>Waiting before the send is safe: the elector counts its lease from before the wait, so the
 * lease in Redis outlasts the one it counts on.
 */
final class RenewalBatches {

    /** How long the first renewal of a batch waits for the others. */
    static final long LINGER_MICROS = 1_000;

    /** The most elections one call renews; a longer script would hold Redis up for the others. */
    static final int MAX_BATCH = 256;

    private final Scheduler timer;
    private final boolean cluster;
    private final BiFunction<List<String>, List<String>, CompletableFuture<List<?>>> send;

    private List<Renewal> pending = new ArrayList<>(); // guarded by this

    /**
     * @param timer where a batch waits out its linger and is sent from
     * @param cluster whether this is Redis Cluster: each call holds one hash slot, and announces on
     *     shard channels
     * @param send runs {@code renew.lua} with the keys and arguments of a batch
     */
    RenewalBatches(
            Scheduler timer, boolean cluster, BiFunction<List<String>, List<String>, CompletableFuture<List<?>>> send) {
        this.timer = timer;
        this.cluster = cluster;
        this.send = send;
    }

    /** Renews one lease with the next batch: answers whether the lease was still ours. */
    CompletableFuture<Boolean> renew(RedisKeys keys, String token, String ttlMillis) {
        Renewal renewal = new Renewal(keys, token, ttlMillis, new CompletableFuture<>());
        List<Renewal> full = null;
        boolean first;
        synchronized (this) {
            first = pending.isEmpty();
            pending.add(renewal);
            if (pending.size() >= MAX_BATCH) {
                full = takePending();
            }
        }
        if (full != null) {
            sendAll(full);
        } else if (first) {
            scheduleFlush();
        }
        return renewal.renewed();
    }

    private void scheduleFlush() {
        try {
            timer.schedule(this::flush, LINGER_MICROS, TimeUnit.MICROSECONDS);
        } catch (RejectedExecutionException ex) {
            flush(); // the store is closing: the send fails and says so
        }
    }

    private void flush() {
        List<Renewal> batch;
        synchronized (this) {
            batch = takePending();
        }
        sendAll(batch);
    }

    private List<Renewal> takePending() {
        List<Renewal> taken = pending;
        pending = new ArrayList<>();
        return taken;
    }

    private void sendAll(List<Renewal> renewals) {
        if (!cluster) {
            sendBatch(renewals);
            return;
        }
        Map<Integer, List<Renewal>> bySlots = new LinkedHashMap<>();
        for (Renewal renewal : renewals) {
            bySlots.computeIfAbsent(SlotHash.getSlot(renewal.keys().lease()), slot -> new ArrayList<>())
                    .add(renewal);
        }
        bySlots.values().forEach(this::sendBatch);
    }

    private void sendBatch(List<Renewal> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>(batch.size() * 3);
        List<String> args = new ArrayList<>(batch.size() * 3 + 1);
        args.add(cluster ? "1" : "0");
        for (Renewal renewal : batch) {
            keys.addAll(renewal.keys().leaseTermAndCandidates());
            args.add(renewal.token());
            args.add(renewal.ttlMillis());
            args.add(renewal.keys().releaseChannel());
        }
        CompletableFuture<List<?>> reply;
        try {
            reply = send.apply(keys, args);
        } catch (RuntimeException ex) {
            reply = CompletableFuture.failedFuture(ex);
        }
        reply.whenComplete((renewed, error) -> {
            for (int i = 0; i < batch.size(); i++) {
                CompletableFuture<Boolean> answer = batch.get(i).renewed();
                if (error != null) {
                    answer.completeExceptionally(error);
                } else if (renewed == null || renewed.size() != batch.size()) {
                    answer.completeExceptionally(new IllegalStateException(
                            "renew.lua answered " + renewed + " for a batch of " + batch.size()));
                } else if (renewed.get(i) instanceof Number number) {
                    answer.complete(number.longValue() == 1);
                } else {
                    answer.completeExceptionally(new IllegalStateException("Redis refused the renewal of "
                            + batch.get(i).keys().lease() + ": " + renewed.get(i)));
                }
            }
        });
    }

    private record Renewal(RedisKeys keys, String token, String ttlMillis, CompletableFuture<Boolean> renewed) {}
}
