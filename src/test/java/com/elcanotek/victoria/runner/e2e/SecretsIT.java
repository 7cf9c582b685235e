package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.elcanotek.victoria.runner.logs.CrushDbFixture;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Full tasks through the packaged runner, in console and in JSON log format, with a known registration
 * token and node key: neither may show in any log line, any error message the orchestrator received, or
 * what health and metrics serve. Failures are provoked on purpose, so that error paths log too.
 */
class SecretsIT {

    private static final Duration TASK_WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = { "text", "json" })
    void noSecretInLogsErrorsHealthOrMetrics(String format) throws Exception {
        int port = freePort();
        try (FakeOrchestrator fake = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, "secrets-" + format + "-" + ProcessHandle.current().pid(),
                        Map.of("--log-format", format, "--management-port", Integer.toString(port),
                                "--heartbeat-interval", "1", "--lease-renewal-interval", "1"),
                        Map.of())) {
            String session = CrushDbFixture.forAgent(runner.home(), "hello", CrushDbFixture.Schema.CURRENT)
                    .session("s-1", null, 1, 2)
                    .message("m-1", "s-1", "user", "[{\"type\":\"text\",\"data\":{\"text\":\"hello\"}}]", 1)
                    .sessionFrom();
            fake.failNext("POST", "/nodes/heartbeat", 500, "heartbeat store down", 2);
            fake.failNext("POST", "/status", 503, "status store busy", 1);
            String ok = fake.createTask(TaskSpec.builder("files sleep=1 " + session)
                    .file("data.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8)).build());
            String tampered = fake.createTask(TaskSpec.builder("never runs")
                    .file("model.bin", "the real bytes".getBytes(StandardCharsets.UTF_8))
                    .servedBytes("model.bin", "tampered bytes".getBytes(StandardCharsets.UTF_8)).build());
            String failing = fake.createTask("exit=3 " + session);

            List<String> errors = new ArrayList<>();
            errors.add(fake.awaitState(ok, TaskState.SUCCESS, TASK_WAIT).result());
            errors.add(fake.awaitState(tampered, TaskState.ERROR, TASK_WAIT).result());
            errors.add(fake.awaitState(failing, TaskState.ERROR, TASK_WAIT).result());
            String key = JSON.readTree(runner.stateDir().resolve("credentials.json").toFile()).path("api_key").asText();
            assertThat(key).isNotBlank();
            assertThat(Files.readString(runner.home().resolve("runs/" + ok + "/env"))).contains("NODE_API_KEY=" + key);
            String health = get(port, "/q/health");
            String metrics = get(port, "/q/metrics");

            assertThat(metrics).contains("victoria_runner_tasks_finished_total{outcome=\"succeeded\"} 1.0",
                    "victoria_runner_tasks_finished_total{outcome=\"failed\"} 2.0", "victoria_runner_tasks_claimed_total 3.0")
                    .containsPattern("victoria_runner_claim_to_start_seconds_count(\\{\\})? [1-9]")
                    .containsPattern("victoria_runner_exit_to_report_seconds_count(\\{\\})? [1-9]")
                    .containsPattern("victoria_runner_files_downloaded_bytes_total(\\{\\})? [1-9]");
            assertThat(health).contains("\"status\": \"UP\"");
            String output = runner.output();
            assertThat(output).contains("heartbeat store down", "checksum mismatch");
            for (String seen : List.of(output, health, metrics, String.join("\n", errors))) {
                assertThat(seen).doesNotContain(FakeBackedRunner.TOKEN).doesNotContain(key);
            }
            if (format.equals("json")) {
                assertEveryLineIsAJsonObjectWithTheTaskIdAsAField(output, ok);
            } else {
                assertThat(output.lines().filter(line -> line.contains(" claimed")))
                        .anyMatch(line -> line.contains(ok));
            }
        }
    }

    private static void assertEveryLineIsAJsonObjectWithTheTaskIdAsAField(String output, String taskId) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.lines().filter(line -> !line.isBlank()).toList()) {
            JsonNode object = JSON.readTree(line);
            assertThat(object.isObject()).as(line).isTrue();
            lines.add(object);
        }
        assertThat(lines).filteredOn(line -> line.path("message").asText().equals("claimed"))
                .anyMatch(line -> line.path("mdc").path("taskId").asText().equals(taskId));
        assertThat(lines).filteredOn(line -> line.path("mdc").path("taskId").asText().equals(taskId))
                .extracting(line -> line.path("message").asText())
                .contains("claimed", "reported success: completed");
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
