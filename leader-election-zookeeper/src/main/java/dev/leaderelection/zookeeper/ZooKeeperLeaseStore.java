package dev.leaderelection.zookeeper;

import static dev.leaderelection.zookeeper.Background.code;
import static dev.leaderelection.zookeeper.Background.failure;
import static dev.leaderelection.zookeeper.Nodes.bytes;
import static dev.leaderelection.zookeeper.Nodes.parseLong;

import dev.leaderelection.store.AcquireResult;
import dev.leaderelection.store.Candidate;
import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseHolder;
import dev.leaderelection.store.LeaseStore;
import dev.leaderelection.store.LeaseToken;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.TransactionOp;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LeaseStore} on ZooKeeper through Apache Curator. A lease is an ephemeral node that
 * holds the holder's token, the lease it asked for and the grant's fencing token; it is gone when
 * the holder releases it, when its ZooKeeper session ends, or, judged on the server's clock from
 * the node's {@code mtime}, when the lease ran out without a renewal (the next acquire or inspect
 * deletes it then, conditionally on its version). See {@link ElectionPaths} for the layout.
 *
 * <p><b>Renewal</b> is a read and a conditional write of the holder's node, which must belong to the
 * client's current session: the write succeeds only while the node, and so that session, still
 * exists, and it records the new lease.
 * When the connection becomes {@code SUSPENDED} or {@code LOST}, the subscribed electors hear {@link
 * LeaseChangeListener#linkLost()} (a leader steps down at once), and renewals answer "not proven"
 * until it is back.
 *
 * <p><b>Session timeout.</b> The node lives no longer than the session, which the server ends a
 * negotiated timeout after it last heard from the client; that timeout may differ from the one the
 * client asked for (servers bound it to 2 to 20 tick times by default). An acquire or renewal whose
 * lease is longer than the negotiated timeout is refused with an {@link IllegalStateException}: the
 * elector's deadline would outlive the node.
 *
 * <p><b>Fencing tokens</b> come from a persistent node per election, raised in the same transaction
 * that grants the lease, to the larger of the last token plus one and the server's clock (the
 * {@code mtime} of the caller's candidate node, written just before) in microseconds: they keep
 * rising when a new ensemble starts empty.
 *
 * <p>All calls run in Curator's background mode: no caller thread waits for ZooKeeper. The owner
 * starts and closes the Curator client; this store never does.
 */
public class ZooKeeperLeaseStore implements LeaseStore {

    /** The root path used unless another is given. */
    public static final String DEFAULT_ROOT_PATH = "/leader-election";

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperLeaseStore.class);

    /**
     * Grants that lose a race (a concurrent grant, a node created meanwhile) read the lease again:
     * each loss means another caller's grant went through, and the next read mostly finds it held.
     * Only a lease taken and released again between every read and write of this caller exhausts
     * them, and then the acquire fails (not proven) rather than loop.
     */
    private static final int ATTEMPTS = 10;

    private final CuratorFramework client;
    private final Nodes nodes;
    private final String rootPath;
    private final Map<String, ElectionPaths> paths = new ConcurrentHashMap<>();
    private final Set<LeaseWatch> watches = ConcurrentHashMap.newKeySet();
    private final ConnectionStateListener connectionListener = (client, state) -> connectionChanged(state);

    private volatile @Nullable ConnectionState interrupted; // SUSPENDED or LOST until reconnected
    private volatile boolean sessionWarningLogged;

    /**
     * Creates a store on a Curator client that its owner starts and closes.
     *
     * @throws IllegalArgumentException if the root path is not an absolute ZooKeeper path
     */
    public ZooKeeperLeaseStore(CuratorFramework client, String rootPath) {
        this.client = client;
        this.nodes = new Nodes(client);
        this.rootPath = ElectionPaths.requireValidRoot(rootPath);
        client.getConnectionStateListenable().addListener(connectionListener);
    }

    @Override
    public CompletionStage<AcquireResult> acquire(String election, LeaseToken token, Duration ttl) {
        ElectionPaths at = paths(election);
        // 1. Announce the candidate; the write's mtime is the server's clock now.
        return announce(at, token.instanceId(), ttl).thenCompose(now -> {
            requireSessionOutlives(ttl);
            return tryAcquire(at, token, ttl, now, ATTEMPTS);
        });
    }

    private CompletableFuture<AcquireResult> tryAcquire(
            ElectionPaths at, LeaseToken token, Duration ttl, long now, int attempts) {
        // 2. Read the lease: free, ours, run out, or held.
        return nodes.read(at.lease()).thenCompose(event -> {
            Code code = code(event);
            if (code == Code.NONODE) {
                return grant(at, token, ttl, now, Grant.CREATE, -1, attempts);
            }
            if (code != Code.OK) {
                throw failure(event);
            }
            Stat stat = event.getStat();
            LeaseNode lease = LeaseNode.parse(event.getData());
            if (lease == null) {
                // not written by this store: never taken over
                String holder = new String(event.getData(), StandardCharsets.UTF_8);
                return CompletableFuture.completedFuture(new AcquireResult.Held(new LeaseHolder(holder, null)));
            }
            if (lease.heldBy(token)) {
                // ours; a node left by an earlier session of this client is replaced by one of this session
                Grant regrant = stat.getEphemeralOwner() == sessionId() ? Grant.RENEW : Grant.TAKE_OVER;
                return grant(at, token, ttl, now, regrant, stat.getVersion(), attempts);
            }
            if (lease.expired(stat.getMtime(), now)) {
                return grant(at, token, ttl, now, Grant.TAKE_OVER, stat.getVersion(), attempts);
            }
            return CompletableFuture.completedFuture(
                    new AcquireResult.Held(new LeaseHolder(lease.instanceId(), lease.remaining(stat.getMtime(), now))));
        });
    }

    private enum Grant {
        CREATE,
        RENEW,
        TAKE_OVER
    }

    // 3. Grant in one transaction: raise the fencing token, write the lease node.
    private CompletableFuture<AcquireResult> grant(
            ElectionPaths at, LeaseToken token, Duration ttl, long now, Grant grant, int leaseVersion, int attempts) {
        return fencing(at).thenCompose(fencing -> {
            long fencingToken = Math.max(fencing.last() + 1, Math.multiplyExact(now, 1000L));
            byte[] lease = LeaseNode.of(token, ttl, fencingToken).bytes();
            List<CuratorOp> ops = new ArrayList<>();
            try {
                TransactionOp op = client.transactionOp();
                ops.add(op.setData().withVersion(fencing.version()).forPath(at.fencing(), bytes(fencingToken)));
                if (grant == Grant.RENEW) {
                    ops.add(op.setData().withVersion(leaseVersion).forPath(at.lease(), lease));
                } else {
                    if (grant == Grant.TAKE_OVER) {
                        ops.add(op.delete().withVersion(leaseVersion).forPath(at.lease()));
                    }
                    ops.add(op.create().withMode(CreateMode.EPHEMERAL).forPath(at.lease(), lease));
                }
            } catch (Exception ex) {
                return CompletableFuture.failedFuture(ex);
            }
            return Background.run(callback ->
                            client.transaction().inBackground(callback).forOperations(ops))
                    .thenCompose(event -> {
                        Code code = code(event);
                        if (code == Code.OK) {
                            return CompletableFuture.completedFuture(new AcquireResult.Granted(fencingToken));
                        }
                        if (attempts > 1
                                && (code == Code.BADVERSION || code == Code.NODEEXISTS || code == Code.NONODE)) {
                            return tryAcquire(at, token, ttl, now, attempts - 1); // lost a race: look again
                        }
                        throw failure(event);
                    });
        });
    }

    @Override
    public CompletionStage<Boolean> renew(String election, LeaseToken token, Duration ttl) {
        ConnectionState down = interrupted;
        if (down != null) {
            return CompletableFuture.failedFuture(notProven(down));
        }
        ElectionPaths at = paths(election);
        return nodes.read(at.lease()).thenCompose(event -> {
            Code code = code(event);
            if (code == Code.NONODE) {
                return CompletableFuture.completedFuture(false);
            }
            if (code != Code.OK) {
                throw failure(event);
            }
            LeaseNode lease = LeaseNode.parse(event.getData());
            if (lease == null || !lease.heldBy(token)) {
                return CompletableFuture.completedFuture(false);
            }
            if (event.getStat().getEphemeralOwner() != sessionId()) {
                // Left by an earlier session (Curator starts a new one after LOST), which the server
                // ends on its own clock, whatever this session writes: not proof of anything.
                return CompletableFuture.completedFuture(false);
            }
            requireSessionOutlives(ttl);
            long lastMtime = event.getStat().getMtime();
            int version = event.getStat().getVersion();
            return Background.run(callback -> client.setData()
                            .withVersion(version)
                            .inBackground(callback)
                            .forPath(at.lease(), lease.renewed(ttl).bytes()))
                    .thenApply(written -> {
                        Code writeCode = code(written);
                        if (writeCode == Code.NONODE || writeCode == Code.BADVERSION) {
                            return false;
                        }
                        if (writeCode != Code.OK) {
                            throw failure(written);
                        }
                        if (lease.expired(lastMtime, written.getStat().getMtime())) {
                            // the lease had run out before this write: free it rather than revive it
                            nodes.deleteQuietly(at.lease(), written.getStat().getVersion());
                            return false;
                        }
                        ConnectionState lost = interrupted;
                        if (lost != null) {
                            throw notProven(lost);
                        }
                        return true;
                    });
        });
    }

    @Override
    public CompletionStage<Boolean> release(String election, LeaseToken token) {
        return release(paths(election), token, ATTEMPTS);
    }

    private CompletableFuture<Boolean> release(ElectionPaths at, LeaseToken token, int attempts) {
        return nodes.read(at.lease()).thenCompose(event -> {
            Code code = code(event);
            if (code == Code.NONODE) {
                return CompletableFuture.completedFuture(false);
            }
            if (code != Code.OK) {
                throw failure(event);
            }
            LeaseNode lease = LeaseNode.parse(event.getData());
            if (lease == null || !lease.heldBy(token)) {
                return CompletableFuture.completedFuture(false);
            }
            int version = event.getStat().getVersion();
            return Background.run(callback -> client.delete()
                            .withVersion(version)
                            .inBackground(callback)
                            .forPath(at.lease()))
                    .thenCompose(deleted -> {
                        Code deleteCode = code(deleted);
                        if (deleteCode == Code.OK) {
                            return CompletableFuture.completedFuture(true);
                        }
                        if (deleteCode == Code.BADVERSION && attempts > 1) {
                            // rewritten since the read, by a renewal of ours still in flight: look again
                            return release(at, token, attempts - 1);
                        }
                        if (deleteCode == Code.NONODE || deleteCode == Code.BADVERSION) {
                            return CompletableFuture.completedFuture(false);
                        }
                        throw failure(deleted);
                    });
        });
    }

    /** Reads who holds the lease; a lease that ran out on the server's clock reads as free, and is deleted. */
    @Override
    public CompletionStage<Optional<LeaseHolder>> inspect(String election) {
        ElectionPaths at = paths(election);
        return nodes.read(at.lease()).thenCompose(event -> {
            Code code = code(event);
            if (code == Code.NONODE) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            if (code != Code.OK) {
                throw failure(event);
            }
            Stat stat = event.getStat();
            LeaseNode lease = LeaseNode.parse(event.getData());
            if (lease == null) {
                String holder = new String(event.getData(), StandardCharsets.UTF_8);
                return CompletableFuture.completedFuture(Optional.of(new LeaseHolder(holder, null)));
            }
            return nodes.serverClock(at).thenApply(now -> {
                if (lease.expired(stat.getMtime(), now)) {
                    nodes.deleteQuietly(at.lease(), stat.getVersion());
                    return Optional.empty();
                }
                return Optional.of(new LeaseHolder(lease.instanceId(), lease.remaining(stat.getMtime(), now)));
            });
        });
    }

    /**
     * The instances whose candidate node was written within two of their leases, and the holder as of
     * its last renewal: a candidate's node is written by each acquire and goes with its session.
     */
    @Override
    public CompletionStage<List<Candidate>> candidates(String election) {
        return CandidateList.read(nodes, paths(election));
    }

    /**
     * Wakes {@code listener} when the lease node of {@code election} is deleted (released, run out,
     * or gone with its session) and tells it of each new grant, through one persistent ZooKeeper
     * watch on that node, set again after every reconnection. After a reconnection the listener also
     * hears a release, since one may have passed unseen.
     */
    @Override
    public Subscription subscribe(String election, LeaseChangeListener listener) {
        LeaseWatch watch = new LeaseWatch(client, paths(election).lease(), listener, watches::remove);
        watches.add(watch);
        watch.start();
        return watch;
    }

    @Override
    public String kind() {
        return "zookeeper";
    }

    /** Accepts letters, digits, '.', '_', ':' and '-': the name becomes a node name. */
    @Override
    public void checkElectionName(String election) {
        if (!ElectionPaths.isValidName(election)) {
            throw new IllegalArgumentException(ElectionPaths.NAME_RULE);
        }
    }

    /** The path under which this store keeps its elections. */
    public String rootPath() {
        return rootPath;
    }

    /** The session timeout the server granted, as the client last learned it. */
    public Duration negotiatedSessionTimeout() {
        try {
            return Duration.ofMillis(client.getZookeeperClient().getZooKeeper().getSessionTimeout());
        } catch (Exception ex) {
            throw new IllegalStateException("The ZooKeeper client has no session: " + ex.getMessage(), ex);
        }
    }

    private long sessionId() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception ex) {
            throw new IllegalStateException("The ZooKeeper client has no session: " + ex.getMessage(), ex);
        }
    }

    /** Stops every subscription; calls keep working. */
    @Override
    public void stop() {
        List.copyOf(watches).forEach(LeaseWatch::close);
    }

    /** Stops every subscription and stops following the connection; the owner closes the client. */
    @Override
    public void close() {
        stop();
        client.getConnectionStateListenable().removeListener(connectionListener);
    }

    private void connectionChanged(ConnectionState state) {
        if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
            interrupted = state;
            log.info("ZooKeeper connection {}: renewals are not proven until it is back", state);
        } else if (state.isConnected()) {
            if (interrupted != null) {
                log.info("ZooKeeper connection {}", state);
            }
            interrupted = null;
        }
        watches.forEach(watch -> watch.connectionChanged(state));
    }

    /** Writes the caller's candidate node (created on first use); answers the write's mtime. */
    private CompletableFuture<Long> announce(ElectionPaths at, String instanceId, Duration ttl) {
        return nodes.touch(at.candidate(instanceId), bytes(LeaseNode.wholeMillis(ttl)), CreateMode.EPHEMERAL);
    }

    private record Fencing(long last, int version) {}

    /** Reads the election's fencing node, creating it (at zero) where the store has none. */
    private CompletableFuture<Fencing> fencing(ElectionPaths at) {
        return nodes.read(at.fencing()).thenCompose(event -> {
            Code code = code(event);
            if (code == Code.OK) {
                return CompletableFuture.completedFuture(
                        new Fencing(parseLong(event.getData()), event.getStat().getVersion()));
            }
            if (code != Code.NONODE) {
                throw failure(event);
            }
            return nodes.create(at.fencing(), bytes(0), CreateMode.PERSISTENT).thenCompose(created -> fencing(at));
        });
    }

    private void requireSessionOutlives(Duration ttl) {
        Duration negotiated = negotiatedSessionTimeout();
        if (negotiated.toMillis() < LeaseNode.wholeMillis(ttl)) {
            String message = "ZooKeeper granted a session timeout of " + negotiated.toMillis()
                    + " ms, shorter than the lease of " + LeaseNode.wholeMillis(ttl)
                    + " ms: the lease node could go with the session before the leader's deadline. Ask for a"
                    + " session timeout of at least the lease (leader.election.zookeeper.session-timeout), within"
                    + " the server's minSessionTimeout and maxSessionTimeout (2 and 20 tickTimes by default), or"
                    + " shorten the lease (leader.election.lease-duration)";
            if (!sessionWarningLogged) {
                sessionWarningLogged = true;
                log.error(message);
            }
            throw new IllegalStateException(message);
        }
    }

    private static IllegalStateException notProven(ConnectionState state) {
        return new IllegalStateException("ZooKeeper connection " + state + ": the session is not proven alive");
    }

    private ElectionPaths paths(String election) {
        return paths.computeIfAbsent(election, name -> ElectionPaths.of(rootPath, name));
    }
}
