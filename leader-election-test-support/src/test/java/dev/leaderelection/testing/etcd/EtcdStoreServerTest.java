package dev.leaderelection.testing.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leaderelection.testing.store.StoreServer;
import dev.leaderelection.testing.store.StoreServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EtcdStoreServerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    // "k" and "v" base64-encoded, for etcd's JSON gateway.
    private static final String KEY = "aw==";

    @Test
    void etcdServerStartsKillsFreezesRestartsOnItsDataAndWipes() throws Exception {
        EtcdExtension.assumeEtcdAvailable();
        try (StoreServer server = StoreServers.start("etcd")) {
            assertThat(server).isInstanceOf(EtcdStoreServer.class);
            assertThat(server.name()).isEqualTo("etcd");
            assertThat(server.keepsDataOnRestart()).isTrue();
            assertThat(server.capabilities()).containsExactlyInAnyOrder(StoreServer.Capability.values());
            int port = server.port().orElseThrow();
            assertThat(server.applicationProperties())
                    .containsEntry("leader.election.store", "etcd")
                    .containsEntry("spring.profiles.active", "etcd")
                    .containsEntry("leader.election.etcd.endpoints", "http://127.0.0.1:" + port);
            assertThat(StoreServer.arguments(server.applicationProperties(4242)))
                    .contains("--leader.election.etcd.endpoints=http://127.0.0.1:4242", "--leader.election.store=etcd");

            post(port, "put", "{\"key\":\"" + KEY + "\",\"value\":\"dg==\"}");
            server.freeze();
            assertThat(server.isRunning()).isTrue();
            server.resume();
            assertThat(count(port)).isEqualTo(1);

            server.kill();
            assertThat(server.isRunning()).isFalse();
            server.restart();
            assertThat(server.port().orElseThrow()).isEqualTo(port);
            assertThat(count(port)).as("the key survives the restart").isEqualTo(1);

            server.wipe();
            assertThat(count(port)).isZero();
        }
    }

    private static int count(int port) throws Exception {
        String body = post(port, "range", "{\"key\":\"" + KEY + "\",\"count_only\":true}");
        return body.contains("\"count\"") ? Integer.parseInt(body.replaceAll(".*\"count\":\"?(\\d+)\"?.*", "$1")) : 0;
    }

    private static String post(int port, String operation, String json) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/kv/" + operation))
                        .timeout(Duration.ofSeconds(5))
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
