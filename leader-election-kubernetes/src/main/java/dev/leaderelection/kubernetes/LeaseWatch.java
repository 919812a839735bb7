package dev.leaderelection.kubernetes;

import dev.leaderelection.store.LeaseChangeListener;
import dev.leaderelection.store.LeaseStore.Subscription;
import dev.leaderelection.store.WakeUps;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one watch of a store on the Leases of its namespace (a fabric8 informer: list, then watch,
 * listed again and re-established with back-off whenever the watch drops), turned into release and
 * grant announcements for the subscribers of each election's Lease.
 */
final class LeaseWatch {

    private static final Logger log = LoggerFactory.getLogger(LeaseWatch.class);

    private final KubernetesClient client;
    private final String namespace;
    private final LeaseNames names;
    private final Map<String, Set<LeaseChangeListener>> listeners = new ConcurrentHashMap<>();

    private @Nullable SharedIndexInformer<Lease> informer;

    LeaseWatch(KubernetesClient client, String namespace, LeaseNames names) {
        this.client = client;
        this.namespace = namespace;
        this.names = names;
    }

    /** Starts watching, without waiting for the API server; does nothing if already watching. */
    synchronized void start() {
        if (informer != null) {
            return;
        }
        SharedIndexInformer<Lease> started;
        try {
            started = client.leases().inNamespace(namespace).runnableInformer(0);
            started.exceptionHandler((isStarted, error) -> {
                log.debug("Lease watch in namespace {} failed, retrying: {}", namespace, error.toString());
                return true; // keep retrying, with the informer's back-off, until stopped
            });
            started.addEventHandler(new Handler());
            started.start().whenComplete((ignored, error) -> {
                if (error != null) {
                    log.debug("Lease watch in namespace {} did not start: {}", namespace, error.toString());
                }
            });
        } catch (RuntimeException ex) {
            // start() must not fail: followers fall back to lease expiry, and a later subscribe tries again
            log.warn("Lease watch in namespace {} could not start: {}", namespace, ex.toString());
            return;
        }
        informer = started;
    }

    synchronized void stop() {
        if (informer != null) {
            informer.stop();
            informer = null;
        }
    }

    /** The watch's copy of a Lease, if it has one: never changed here, copy before changing it. */
    synchronized @Nullable Lease cached(String leaseName) {
        return informer == null || !informer.isWatching()
                ? null
                : informer.getStore().getByKey(namespace + "/" + leaseName);
    }

    Subscription subscribe(String leaseName, LeaseChangeListener listener) {
        // its own identity, even for the same listener twice
        LeaseChangeListener registered = new LeaseChangeListener() {
            @Override
            public void released() {
                listener.released();
            }

            @Override
            public void granted(String instanceId, long fencingToken) {
                listener.granted(instanceId, fencingToken);
            }
        };
        Set<LeaseChangeListener> ofLease = listeners.computeIfAbsent(leaseName, name -> ConcurrentHashMap.newKeySet());
        ofLease.add(registered);
        start();
        return new Subscription() {
            @Override
            public void close() {
                ofLease.remove(registered);
            }

            @Override
            public WakeUps state() {
                if (!ofLease.contains(registered)) {
                    return WakeUps.NONE;
                }
                return isWatching() ? WakeUps.SUBSCRIBED : WakeUps.RETRYING;
            }
        };
    }

    synchronized boolean isWatching() {
        return informer != null && informer.isWatching();
    }

    private void released(Lease lease) {
        each(lease, LeaseChangeListener::released);
    }

    private void granted(Lease lease) {
        String holder = Objects.requireNonNull(LeaseRecords.holder(lease));
        long token = LeaseRecords.fencingToken(lease);
        each(lease, listener -> listener.granted(holder, token));
    }

    private void each(Lease lease, java.util.function.Consumer<LeaseChangeListener> call) {
        String name = lease.getMetadata().getName();
        if (name == null || !names.isOurs(name)) {
            return;
        }
        for (LeaseChangeListener listener : listeners.getOrDefault(name, Set.of())) {
            try {
                call.accept(listener);
            } catch (RuntimeException ex) {
                log.warn("A lease change listener of {} failed", name, ex);
            }
        }
    }

    private final class Handler implements ResourceEventHandler<Lease> {

        @Override
        public void onAdd(Lease lease) {
            if (LeaseRecords.holder(lease) != null) {
                granted(lease);
            }
        }

        @Override
        public void onUpdate(Lease before, Lease after) {
            String holder = LeaseRecords.holder(after);
            if (holder == null) {
                if (LeaseRecords.holder(before) != null) {
                    released(after);
                }
            } else if (!holder.equals(LeaseRecords.holder(before))
                    || LeaseRecords.fencingToken(after) != LeaseRecords.fencingToken(before)) {
                granted(after);
            }
        }

        @Override
        public void onDelete(Lease lease, boolean finalStateUnknown) {
            released(lease);
        }
    }
}
