package dev.leaderelection.benchmarks;

import dev.leaderelection.ElectionScheduler;
import dev.leaderelection.ElectionTimings;
import dev.leaderelection.LeaseLeaderElector;
import dev.leaderelection.etcd.EtcdLeaseStore;
import dev.leaderelection.testing.etcd.EtcdStoreServer;
import dev.leaderelection.testing.store.StoreServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * etcd for the benchmarks: a one-member etcd process ({@link EtcdStoreServer}). The harness reads
 * its Prometheus counters on {@code /metrics}: requests are the gRPC calls the clients start
 * ({@code grpc_server_started_total}: each Txn, get, grant, {@code keepAliveOnce} and
 * {@code LeaseTimeToLive} is one), commands the Raft proposals etcd commits (its writes), CPU
 * {@code process_cpu_seconds_total}. etcd tells a lease's remaining time in whole seconds only, too
 * coarse for the "past the lease's end" column, so {@link #remainingLeaseMillis} is empty (n/a).
 */
final class EtcdBenchmarkStore implements BenchmarkStore {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final StoreServer server;
    private final String endpoint;
    private final String version;

    /** Runs on {@code server} (an etcd {@link StoreServer}, started) and closes it on {@link #close()}. */
    EtcdBenchmarkStore(StoreServer server) {
        this.server = server;
        this.endpoint = "http://127.0.0.1:" + server.port().orElseThrow();
        this.version = metric(metrics(), "etcd_server_version", "server_version=\"", "unknown");
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
    public String server() {
        return "etcd " + version;
    }

    @Override
    public String connection() {
        return endpoint;
    }

    @Override
    public Elector elector(
            String election, String instanceId, ElectionTimings timings, ElectionScheduler scheduler, boolean shared) {
        return elector(endpoint, election, instanceId, timings, scheduler);
    }

    /** An elector on the etcd member at {@code endpoint}, with a jetcd client of its own, as the starter wires it. */
    static Elector elector(
            String endpoint, String election, String instanceId, ElectionTimings timings, ElectionScheduler scheduler) {
        EtcdLeaseStore store = new EtcdLeaseStore(
                EtcdLeaseStore.clientBuilder(List.of(endpoint)).build(), EtcdLeaseStore.DEFAULT_KEY_PREFIX);
        store.start(); // the connection and the watch that wakes followers, before the elector starts
        LeaseLeaderElector elector = new LeaseLeaderElector(election, instanceId, store, timings, scheduler);
        return new Elector(elector, store::close);
    }

    @Override
    public Optional<Counter> counter() {
        return Optional.of(this::snapshot);
    }

    private RedisStats.Snapshot snapshot() {
        long at = System.nanoTime();
        String metrics = metrics();
        return new RedisStats.Snapshot(
                at,
                (long) sum(metrics, "etcd_server_proposals_committed_total"),
                (long) sum(metrics, "grpc_server_started_total"),
                sum(metrics, "process_cpu_seconds_total"),
                version);
    }

    @Override
    public OptionalLong remainingLeaseMillis(String election) {
        return OptionalLong.empty();
    }

    @Override
    public OptionalLong releaseListeners(String election) {
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        server.close();
    }

    private String metrics() {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(endpoint + "/metrics"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.body();
        } catch (IOException ex) {
            throw new IllegalStateException("Cannot read " + endpoint + "/metrics", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted reading " + endpoint + "/metrics", ex);
        }
    }

    /** The sum of every sample of {@code name} (all label sets). */
    static double sum(String metrics, String name) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static String metric(String metrics, String name, String labelStart, String otherwise) {
        for (String line : metrics.split("\n")) {
            int at = line.indexOf(labelStart);
            if (line.startsWith(name + "{") && at >= 0) {
                int from = at + labelStart.length();
                return line.substring(from, line.indexOf('"', from));
            }
        }
        return otherwise;
    }
}
