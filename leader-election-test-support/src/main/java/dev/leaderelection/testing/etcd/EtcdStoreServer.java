package dev.leaderelection.testing.etcd;

import dev.leaderelection.testing.store.StoreServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * etcd as a {@link StoreServer}: a one-member {@link EtcdCluster} (a real {@code etcd} process with
 * a data directory of its own), so a {@link #restart()} comes back with its data. {@link #wipe()}
 * deletes every key through etcd's JSON gateway ({@code /v3/kv/deleterange}); {@link #cluster()}
 * gives the process for what only etcd has.
 */
public final class EtcdStoreServer implements StoreServer {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private @Nullable EtcdCluster cluster;

    /** A one-member cluster on free ports; {@link #start()} launches it. */
    public EtcdStoreServer() {}

    /** The one-member cluster behind this store server, once started. */
    public synchronized EtcdCluster cluster() {
        EtcdCluster started = cluster;
        if (started == null) {
            throw new IllegalStateException("The etcd store server is not started");
        }
        return started;
    }

    private EtcdMember member() {
        return cluster().member(0);
    }

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public String displayName() {
        return "etcd";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public boolean keepsDataOnRestart() {
        return true;
    }

    @Override
    public synchronized void start() {
        if (cluster == null) {
            cluster = EtcdCluster.start(1);
        } else {
            cluster.startAll();
        }
    }

    @Override
    public void kill() {
        member().kill();
    }

    @Override
    public void freeze() {
        member().pause();
    }

    @Override
    public void resume() {
        member().resume();
    }

    @Override
    public void wipe() {
        // Every key: from "\0" to the end of the key space ("\0" as range_end), base64-encoded.
        HttpRequest request = HttpRequest.newBuilder(URI.create(member().clientUrl() + "/v3/kv/deleterange"))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"AA==\",\"range_end\":\"AA==\"}"))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "etcd refused to delete every key: HTTP " + response.statusCode() + " " + response.body());
            }
        } catch (IOException ex) {
            throw new IllegalStateException("Cannot wipe " + member(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while wiping " + member(), ex);
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return cluster != null && cluster.member(0).isRunning();
    }

    @Override
    public OptionalInt port() {
        return OptionalInt.of(member().clientPort());
    }

    @Override
    public Map<String, String> applicationProperties(int port) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.profiles.active", name());
        properties.put("leader.election.store", name());
        properties.put("leader.election.etcd.endpoints", "http://" + EtcdMember.HOST + ":" + port);
        return properties;
    }

    @Override
    public String describe() {
        return "started on " + member().clientUrl() + ", one member, data in " + member().dataDirectory() + " ("
                + EtcdBinary.path() + ")";
    }

    @Override
    public synchronized void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    public String toString() {
        EtcdCluster started = cluster;
        return started == null ? "etcd store server (not started)" : started.toString();
    }
}
