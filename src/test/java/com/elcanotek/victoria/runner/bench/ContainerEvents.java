package com.elcanotek.victoria.runner.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.elcanotek.victoria.runner.container.ContainerSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * When each task's container really started and died, from {@code podman events} (nanosecond times). The
 * runner removes its containers after each task, so their inspect data is gone by the time anyone asks.
 */
final class ContainerEvents implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    /** Task id to event status ("start", "died") to the first time it was seen. */
    private final Map<String, Map<String, Instant>> seen = new ConcurrentHashMap<>();

    private ContainerEvents(Process process) {
        this.process = process;
        Thread reader = new Thread(this::read, "podman-events");
        reader.setDaemon(true);
        reader.start();
    }

    /** Follows the events of the containers of runner {@code runnerName} from {@code since} on. */
    static ContainerEvents follow(String runnerName, Instant since) throws IOException {
        return new ContainerEvents(new ProcessBuilder(List.of("podman", "events", "--format", "json",
                "--since", since.toString(), "--filter", "label=" + ContainerSpec.LABEL_RUNNER + "=" + runnerName))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start());
    }

    Optional<Instant> at(String taskId, String status) {
        return Optional.ofNullable(seen.getOrDefault(taskId, Map.of()).get(status));
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null;) {
                JsonNode event = JSON.readTree(line);
                String taskId = event.path("Attributes").path(ContainerSpec.LABEL_TASK).asText(null);
                if (taskId != null) {
                    seen.computeIfAbsent(taskId, id -> new ConcurrentHashMap<>())
                            .putIfAbsent(event.path("Status").asText(), Instant.parse(event.path("Time").asText()));
                }
            }
        } catch (IOException e) {
            // podman events was stopped: nothing more to read
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
