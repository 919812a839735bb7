package dev.leaderelection.demo;

import dev.leaderelection.testing.process.AppProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One entry of {@code candidates} in {@code GET /actuator/leader}: an instance that campaigns. */
record Candidate(String instanceId, String role) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The candidates {@code instance} lists, by instance id; empty if it does not answer. */
    static List<Candidate> listedBy(AppProcess instance) {
        try {
            HttpResponse<String> response = instance.get("/actuator/leader");
            if (response.statusCode() != 200) {
                return List.of();
            }
            List<Candidate> candidates = new ArrayList<>();
            for (JsonNode candidate : JSON.readTree(response.body()).path("candidates")) {
                candidates.add(new Candidate(
                        candidate.path("instanceId").asString(),
                        candidate.path("role").asString()));
            }
            candidates.sort(Comparator.comparing(Candidate::instanceId));
            return candidates;
        } catch (IOException | JacksonException ex) {
            return List.of();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
