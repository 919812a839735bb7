package dev.leaderelection.faults;

import dev.leaderelection.testing.etcd.EtcdStoreServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The fault scenarios on etcd (a one-member etcd process with a data directory, so a restart keeps
 * the data), plus the row only etcd has: an operator deletes the election's {@code leader} key.
 *
 * <p>Which rows run: the default build runs ONE row, {@code storeFrozenForHalfALease} ("3. etcd
 * frozen (SIGSTOP) for 0.5x lease"), to keep the build short; {@code -Pchaos} runs the whole class.
 * The selection is the fault-tolerance pom's property {@code faults.etcd.tests} (the failsafe
 * execution {@code etcd-faults}); {@code -Dfaults.etcd.tests=EtcdFaultToleranceIT} runs every row
 * once outside the chaos profile.
 */
class EtcdFaultToleranceIT extends StoreFaultScenarios {

    /** The sample app's election ({@code spring.application.name}) under the default key prefix. */
    private static final String LEADER_KEY = "/leader-election/telnet-gateway/leader";

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    EtcdFaultToleranceIT() {
        super("etcd");
    }

    @Test
    @Order(101)
    void operatorDeletesTheLeaderKey() {
        termEndedBy("6a. leader key deleted by an operator", () -> deleteKey(LEADER_KEY));
    }

    private void deleteKey(String key) {
        String url = ((EtcdStoreServer) store()).cluster().member(0).clientUrl();
        String json = "{\"key\":\"" + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)) + "\"}";
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url + "/v3/kv/deleterange"))
                            .timeout(Duration.ofSeconds(5))
                            .POST(HttpRequest.BodyPublishers.ofString(json))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200 || !response.body().contains("\"deleted\"")) {
                throw new IllegalStateException("etcd did not delete " + key + ": " + response.body());
            }
        } catch (java.io.IOException ex) {
            throw new IllegalStateException("Cannot delete " + key, ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while deleting " + key, ex);
        }
    }
}
