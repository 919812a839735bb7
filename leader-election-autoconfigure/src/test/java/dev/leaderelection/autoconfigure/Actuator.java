package dev.leaderelection.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP calls to a running web application's actuator, for tests; bodies read as JSON. */
final class Actuator {

    private static final HttpClient http = HttpClient.newHttpClient();
    private static final JsonMapper json = JsonMapper.builder().build();

    private Actuator() {}

    /** An answer: its status code, and its body as JSON ({@code {}} when empty). */
    record Response(int statusCode, JsonNode body) {}

    static Response get(ConfigurableApplicationContext context, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(context, path)).GET().build());
    }

    static Response post(ConfigurableApplicationContext context, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(context, path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private static Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        String body = response.body().isEmpty() ? "{}" : response.body();
        return new Response(response.statusCode(), json.readTree(body));
    }

    private static URI uri(ConfigurableApplicationContext context, String path) {
        return URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + path);
    }
}
