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
 * runner removes its containers after each task, so their inspect data is gone by the time anyone asks. Podman
 * 4.3 ends a {@code --since} stream whenever it rotates its events file, so the stream is started again from the
 * last event seen (a duplicate keeps its first time).
 */
final class ContainerEvents implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Keeps a stream that fails at once from spinning. */
    private static final long RESTART_PAUSE_MILLIS = 200;

    private final String runnerName;
    /** Task id to event status ("start", "died") to the first time it was seen. */
    private final Map<String, Map<String, Instant>> seen = new ConcurrentHashMap<>();
    private volatile Instant resumeFrom;
    private volatile Process process;
    private volatile boolean closed;

    private ContainerEvents(String runnerName, Instant since) {
        this.runnerName = runnerName;
        this.resumeFrom = since;
        Thread reader = new Thread(this::follow, "podman-events");
        reader.setDaemon(true);
        reader.start();
    }

    /** Follows the events of the containers of runner {@code runnerName} from {@code since} on. */
    static ContainerEvents follow(String runnerName, Instant since) {
        return new ContainerEvents(runnerName, since);
    }

    Optional<Instant> at(String taskId, String status) {
        return Optional.ofNullable(seen.getOrDefault(taskId, Map.of()).get(status));
    }

    private void follow() {
        while (!closed) {
            try {
                process = new ProcessBuilder(List.of("podman", "events", "--format", "json", "--since",
                        resumeFrom.minusSeconds(1).toString(), "--filter", "label=" + ContainerSpec.LABEL_RUNNER + "=" + runnerName))
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                if (closed) {
                    process.destroy();
                }
                read(process);
                Thread.sleep(RESTART_PAUSE_MILLIS);
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    private void read(Process events) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null;) {
                JsonNode event = JSON.readTree(line);
                Instant time = Instant.parse(event.path("Time").asText());
                resumeFrom = time;
                String taskId = event.path("Attributes").path(ContainerSpec.LABEL_TASK).asText(null);
                if (taskId != null) {
                    seen.computeIfAbsent(taskId, id -> new ConcurrentHashMap<>())
                            .putIfAbsent(event.path("Status").asText(), time);
                }
            }
        } catch (IOException e) {
            // podman events was stopped: nothing more to read
        }
    }

    @Override
    public void close() {
        closed = true;
        Process current = process;
        if (current != null) {
            current.destroy();
        }
    }
}
