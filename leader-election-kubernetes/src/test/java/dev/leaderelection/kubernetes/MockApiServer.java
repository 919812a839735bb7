package dev.leaderelection.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * fabric8's mock API server in CRUD mode: it keeps objects, answers a stale {@code resourceVersion}
 * with 409 and serves watches. No real API server runs in these tests. It can be stopped and started
 * again on the same port (empty, as a new API server would be) to cut every client off.
 */
final class MockApiServer implements AutoCloseable {

    static final String NAMESPACE = "test";

    /** Held so that the level sticks: the server logs every request at INFO. */
    private static final Logger SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        SERVER_LOG.setLevel(Level.WARNING);
    }

    private final List<KubernetesClient> clients = new ArrayList<>();
    private KubernetesMockServer server;
    private int port;

    MockApiServer() {
        server = crudServer();
        server.init(InetAddress.getLoopbackAddress(), 0);
        port = server.getPort();
    }

    private static KubernetesMockServer crudServer() {
        return new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    }

    /** A client of its own, as another process would have; closed with the server. */
    synchronized KubernetesClient newClient() {
        KubernetesClient client = server.createClient(builder -> builder.editOrNewConfig()
                .withNamespace(NAMESPACE)
                .withRequestTimeout(2_000)
                .withConnectionTimeout(1_000)
                .withWatchReconnectInterval(100)
                .endConfig());
        clients.add(client);
        return client;
    }

    /** Every request the server answered so far. */
    int requestCount() {
        return server.getRequestCount();
    }

    /** The methods of the requests recorded since the last call, such as {@code GET}, {@code PUT}. */
    synchronized List<String> takeRequests() throws InterruptedException {
        List<String> methods = new ArrayList<>();
        for (var request = server.takeRequest(1, TimeUnit.MILLISECONDS);
                request != null;
                request = server.takeRequest(1, TimeUnit.MILLISECONDS)) {
            methods.add(request.getMethod());
        }
        return methods;
    }

    /** The API server goes away: connections are refused. */
    synchronized void stop() {
        server.destroy();
    }

    /** A new, empty API server on the same port. */
    synchronized void restart() {
        server = crudServer();
        server.init(InetAddress.getLoopbackAddress(), port);
    }

    @Override
    public synchronized void close() {
        clients.forEach(KubernetesClient::close);
        try {
            server.destroy();
        } catch (IllegalStateException ex) {
            // Vert.x did not close its connections in time on a busy machine: the test is over anyway
        }
    }
}
