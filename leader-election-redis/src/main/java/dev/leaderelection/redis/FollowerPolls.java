package dev.leaderelection.redis;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.LeaseToken;
import dev.leaderelection.store.WakeUps;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Lets an idle follower poll with one command. A follower's acquire is a <em>light poll</em>, a
 * plain {@code PTTL} of the lease key, followed by the full {@code acquire.lua} only when the lease
 * has no time left, when three things hold, each kept up on the store's one pub/sub link:
 *
 * <ul>
 *   <li>the store knows who holds the lease, and it is another instance: heard in a grant
 *       announcement or read by a full acquire, with the link up ever since, so that no later grant
 *       or release can have gone unheard;
 *   <li>the election's announcement channel is subscribed now;
 *   <li>the caller's presence channel ({@link RedisKeys#presenceChannel}) is subscribed now: that
 *       lists it as a candidate ({@code PUBSUB CHANNELS} in {@code candidates.lua}) without the
 *       {@code ZADD} of a full acquire.
 * </ul>
 *
 * <p>Otherwise the call is the full acquire, with the restart guard and the candidate announcement
 * as before: the light poll only ever answers "held", never grants. An instance's presence channel is
 * subscribed at its first acquire in an election that an elector of the store listens to, and
 * dropped two of its leases after its last acquire, as the {@code ZADD} listing would run out; a
 * crash drops it with the link.
 *
 * <p>A grant announcement lost while the link stays up (Lettuce re-subscribes after a reconnect
 * between two of the supervisor's looks) leaves an outdated holder name until the next grant or
 * release: the follower's {@code leaderId()} is then stale, while its wake-ups, which follow the
 * lease's own {@code PTTL}, are not.
 */
final class FollowerPolls {

    /** How often presences are looked at to drop those whose instance stopped polling; local only. */
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

    private final ReleaseLink links;
    private final ScheduledExecutorService background;
    private final Map<String, ElectionLink> elections = new ConcurrentHashMap<>();
    private final Map<String, Presence> presences = new ConcurrentHashMap<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();

    FollowerPolls(ReleaseLink links, ScheduledExecutorService background) {
        this.links = links;
        this.background = background;
    }

    /** Subscribes {@code listener} to the election's announcements, noting the holder they name. */
    Subscription subscribe(String election, RedisKeys keys, LeaseChangeListener listener) {
        ElectionLink link = election(election);
        Subscription subscription = links.subscribe(keys.releaseChannel(), new HolderListener() {
            @Override
            public void held(String instanceId) {
                link.heard(instanceId, links.losses());
            }

            @Override
            public void released() {
                link.heard(null, links.losses());
                listener.released();
            }

            @Override
            public void granted(String instanceId, long fencingToken) {
                link.heard(instanceId, links.losses());
                listener.granted(instanceId, fencingToken);
            }
        });
        link.subscriptions.add(subscription);
        return new Subscription() {
            @Override
            public void close() {
                link.unsubscribed(subscription);
                subscription.close();
            }

            @Override
            public WakeUps state() {
                return subscription.state();
            }
        };
    }

    /**
     * Notes an acquire of {@code instanceId} about to be sent (keeping its presence up) and tells
     * whether it may be a light poll.
     */
    Poll before(String election, RedisKeys keys, String instanceId, Duration ttl) {
        ElectionLink link = election(election);
        // Only an election that an elector listens to has followers to spare: plain store calls
        // (no subscription) stay full acquires and subscribe no presence; so do all on Cluster.
        boolean present = links.listsPresence()
                && !link.subscriptions.isEmpty()
                && present(keys.presenceChannel(instanceId), ttl);
        long announcements = link.announcements.get();
        long losses = links.losses();
        boolean subscribed = link.subscribed();
        Heard heard = link.heard;
        boolean light = present
                && subscribed
                && heard != null
                && heard.holder() != null
                && !heard.holder().equals(instanceId)
                && heard.losses() == losses;
        // A reply is worth noting only if every later announcement will be heard.
        return new Poll(election, light ? heard.holder() : null, subscribed ? announcements : -1, losses);
    }

    /** Reads the reply of {@code acquire.lua} to {@code poll}, noting the holder it names. */
    AcquireResult after(Poll poll, String instanceId, List<?> reply) {
        ElectionLink link = election(poll.election());
        if (reply.get(0) instanceof Number granted && granted.longValue() == 1) {
            link.read(instanceId, poll);
            return new AcquireResult.Granted(((Number) reply.get(1)).longValue());
        }
        String holder = String.valueOf(reply.get(1));
        long pttl = ((Number) reply.get(2)).longValue();
        Duration remaining = pttl >= 0 ? Duration.ofMillis(pttl) : null;
        String holderId = LeaseToken.instanceIdOf(holder);
        if (holder.indexOf(':') >= 0) { // a token, not the restart guard's '(redis restarted)'
            link.read(holderId, poll);
        }
        return new AcquireResult.Held(new LeaseHolder(holderId, remaining));
    }

    /** Keeps the presence channel subscribed; whether it is subscribed now. */
    private boolean present(String channel, Duration ttl) {
        long now = System.nanoTime();
        Presence presence = presences.computeIfAbsent(
                channel,
                name -> new Presence(links.subscribe(name, new LeaseChangeListener() {
                    @Override
                    public void released() {} // nobody announces on a presence channel
                })));
        presence.lastCall = now;
        presence.listedFor = ttl.multipliedBy(2).toNanos();
        startSweeping();
        return presence.subscription.state() == WakeUps.SUBSCRIBED;
    }

    private void startSweeping() {
        if (sweeping.compareAndSet(false, true)) {
            try {
                background.scheduleWithFixedDelay(
                        this::sweep, SWEEP_INTERVAL.toNanos(), SWEEP_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException ex) {
                // the store is closed: its link is gone, and every presence with it
            }
        }
    }

    /** Drops the presences whose instance has not polled for two of its leases. */
    private void sweep() {
        long now = System.nanoTime();
        presences.forEach((channel, presence) -> {
            if (now - presence.lastCall > presence.listedFor && presences.remove(channel, presence)) {
                presence.subscription.close();
            }
        });
    }

    private ElectionLink election(String election) {
        return elections.computeIfAbsent(election, name -> new ElectionLink());
    }

    /**
     * One acquire about to be sent.
     *
     * @param holder the holder a light poll answers with, or {@code null} for a full acquire
     * @param announcements how many announcements the election had heard when it was sent; -1
     *     when its channel was not subscribed then, so that its reply is not noted
     * @param losses the link's loss count when it was sent
     */
    record Poll(String election, @Nullable String holder, long announcements, long losses) {
        boolean light() {
            return holder != null;
        }

        /** The light poll's answer: the holder it knew, the lease's {@code PTTL} in ms. */
        AcquireResult held(long pttl) {
            return new AcquireResult.Held(new LeaseHolder(String.valueOf(holder), Duration.ofMillis(pttl)));
        }
    }

    /**
     * Also hears {@code held:<instance id>}: a renewal found the lease key written by another
     * without a grant (an operator's {@code SET}). The engine learns of it at its next poll.
     */
    interface HolderListener extends LeaseChangeListener {
        void held(String instanceId);
    }

    /** A holder heard (or {@code null}: the lease was released), and the link's loss count then. */
    private record Heard(@Nullable String holder, long losses) {}

    /** What the store knows of one election's lease from its announcements and acquire replies. */
    private static final class ElectionLink {
        final AtomicLong announcements = new AtomicLong();
        final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
        volatile @Nullable Heard heard;

        synchronized void heard(@Nullable String holder, long losses) {
            announcements.incrementAndGet();
            heard = new Heard(holder, losses);
        }

        /** A reply read at the store: taken unless an announcement came in since it was sent, which may be newer. */
        synchronized void read(String holder, Poll poll) {
            if (announcements.get() == poll.announcements()) {
                heard = new Heard(holder, poll.losses());
            }
        }

        /** Without a subscription, announcements go unheard: forget the holder. */
        synchronized void unsubscribed(Subscription subscription) {
            subscriptions.remove(subscription);
            if (subscriptions.isEmpty()) {
                announcements.incrementAndGet();
                heard = null;
            }
        }

        boolean subscribed() {
            for (Subscription subscription : subscriptions) {
                if (subscription.state() == WakeUps.SUBSCRIBED) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One instance's presence channel, kept while it polls. */
    private static final class Presence {
        final Subscription subscription;
        volatile long lastCall;
        volatile long listedFor;

        Presence(Subscription subscription) {
            this.subscription = subscription;
        }
    }
}
