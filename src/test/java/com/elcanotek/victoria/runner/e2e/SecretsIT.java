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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.elcanotek.victoria.runner.logs.CrushDbFixture;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Full tasks through the packaged runner, in console and in JSON log format, with a known registration
 * token and node key: neither may show in any log line, any error message the orchestrator received, or
 * what health and metrics serve. Failures are provoked on purpose, so that error paths log too. And an LLM key
 * of the operator's env file that an agent reveals is masked in all the runner sends and writes.
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

    /**
     * An agent that prints the LLM key it got from the operator's env file, and writes it into its session; a task
     * whose file is named after the key (text the orchestrator sends that reaches the runner's log lines and an error).
     * The key reaches the container, and nothing the orchestrator receives, no line the runner logs and nothing
     * {@code logs} shows (from the engine while the container runs, then from the kept output) holds it.
     */
    @Test
    void aKeyFromTheEnvFileThatTheAgentRevealsNeverReachesTheOrchestratorNorAnyLog() throws Exception {
        String key = "sk-or-v1-e2e-" + UUID.randomUUID().toString().replace("-", "");
        Path envFile = Files.writeString(work.resolve("llm.env"), "# the operator's LLM key\nFAKE_LLM_KEY=" + key + "\n");
        Files.setPosixFilePermissions(envFile, PosixFilePermissions.fromString("rw-------"));
        try (FakeOrchestrator fake = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, "leak-" + ProcessHandle.current().pid(),
                        Map.of("--env-file", envFile.toString(), "--log-format", "json", "--max-concurrent-tasks", "2"),
                        Map.of())) {
            String leaking = fake.createTask("leak=FAKE_LLM_KEY sleep=30 exit=3");
            String named = fake.createTask(TaskSpec.builder("never runs")
                    .file("reports/" + key + ".csv", "a,b\n".getBytes(StandardCharsets.UTF_8)).build());
            Path leaked = runner.home().resolve("runs/" + leaking + "/leak");
            Awaitility.await().atMost(TASK_WAIT).until(() -> Files.exists(leaked));
            Path kept = runner.stateDir().resolve("output/" + leaking + ".log");

            String whileRunning = logs(runner, envFile, leaking);

            assertThat(runner.runningContainers()).as("shown by the engine: the container runs").isNotEmpty();
            assertThat(kept).as("and nothing is kept yet").doesNotExist();
            assertThat(whileRunning).contains("FAKE_LLM_KEY=***").doesNotContain(key);
            TaskSnapshot failed = fake.awaitState(leaking, TaskState.ERROR, Duration.ofSeconds(120));
            assertThat(failed.result()).isEqualTo("container exited with code 3: FAKE_LLM_KEY=***");
            assertThat(failed.latestSession().toString()).contains("FAKE_LLM_KEY is ***").doesNotContain(key);
            TaskSnapshot refused = fake.awaitState(named, TaskState.ERROR, TASK_WAIT);
            // the fake refuses names with a slash: its answer quotes the name too
            assertThat(refused.result()).contains("file 'reports/***.csv'", "/files/reports%2F***.csv");
            for (TaskSnapshot task : List.of(failed, refused)) {
                assertThat(task.history()).extracting(TaskSnapshot.StatusChange::message).allSatisfy(
                        message -> assertThat(String.valueOf(message)).doesNotContain(key));
            }
            assertThat(Files.readString(runner.home().resolve("runs/" + leaking + "/env")))
                    .as("the container did get the key").contains("FAKE_LLM_KEY=" + key);
            Podman.awaitNoneLabelled(runner.containerLabel());
            assertThat(kept).hasContent("FAKE_LLM_KEY=***\n");
            assertThat(logs(runner, envFile, leaking)).as("from the kept output").isEqualTo("FAKE_LLM_KEY=***\n");
            assertThat(runner.output()).contains("reports/***.csv").doesNotContain(key);
        }
    }

    /** {@code victoria-runner logs TASK_ID} against the runner's state dir. @return what it printed */
    private static String logs(FakeBackedRunner runner, Path envFile, String taskId) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(Launcher.standard().command());
        command.addAll(List.of("--state-dir", runner.stateDir().toString(), "--env-file", envFile.toString(), "logs", taskId));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
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
