package dev.leaderelection.zookeeper;

import static dev.leaderelection.zookeeper.Background.code;

import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.WakeUps;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persistent watch on an election's lease node: a deletion is a release, a creation (or a
 * rewrite with a new fencing token) a grant. Curator sets the watch again after each reconnection.
 */
final class LeaseWatch implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(LeaseWatch.class);

    private final CuratorFramework client;
    private final String leasePath;
    private final LeaseChangeListener listener;
    private final Consumer<LeaseWatch> onClose;
    private final PersistentWatcher watcher;

    private volatile WakeUps state = WakeUps.RETRYING;
    private volatile boolean closed;
    private volatile boolean everSet;
    private volatile long announced = Long.MIN_VALUE; // the last fencing token told to the listener

    LeaseWatch(CuratorFramework client, String leasePath, LeaseChangeListener listener, Consumer<LeaseWatch> onClose) {
        this.client = client;
        this.leasePath = leasePath;
        this.listener = listener;
        this.onClose = onClose;
        this.watcher = new PersistentWatcher(client, leasePath, false);
        watcher.getListenable().addListener(this::process);
        watcher.getResetListenable().addListener(this::watchSet);
    }

    void start() {
        watcher.start();
    }

    @Override
    public WakeUps state() {
        return closed ? WakeUps.NONE : state;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            watcher.close();
            onClose.accept(this);
        }
    }

    void connectionChanged(ConnectionState connection) {
        if (!connection.isConnected() && !closed) {
            state = WakeUps.RETRYING;
            // SUSPENDED or LOST: the session may be ending, so a leader steps down at once
            safely(listener::linkLost);
        }
    }

    private void watchSet() {
        if (closed) {
            return;
        }
        state = WakeUps.SUBSCRIBED;
        if (everSet) {
            safely(listener::released); // a release may have passed while the watch was down
        }
        everSet = true;
    }

    private void process(WatchedEvent event) {
        if (closed || event.getPath() == null) {
            return;
        }
        if (event.getType() == EventType.NodeDeleted) {
            safely(listener::released);
        } else if (event.getType() == EventType.NodeCreated || event.getType() == EventType.NodeDataChanged) {
            announceHolder();
        }
    }

    private void announceHolder() {
        Background.run(callback -> client.getData().inBackground(callback).forPath(leasePath))
                .thenAccept(event -> {
                    LeaseNode lease = code(event) == Code.OK ? LeaseNode.parse(event.getData()) : null;
                    if (lease != null && lease.fencingToken() != announced && !closed) {
                        announced = lease.fencingToken();
                        safely(() -> listener.granted(lease.instanceId(), lease.fencingToken()));
                    }
                });
    }

    private static void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException ex) {
            log.warn("A lease change listener failed", ex);
        }
    }
}
