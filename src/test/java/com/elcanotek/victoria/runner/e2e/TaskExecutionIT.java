package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged runner against the stateful fake orchestrator and real podman, with a small local
 * image standing in for Victoria Terminal (src/test/container/fake-victoria.sh). Quarkus launches the runner
 * (the jar, or the native executable after {@code -Dnative}), once for all these tests.
 */
@QuarkusIntegrationTest
@Tag("quarkus-integration-test")
@WithTestResource(value = FakeOrchestratorResource.class, initArgs = {
        @ResourceArg(name = "--heartbeat-interval", value = "2"),
        @ResourceArg(name = "--lease-renewal-interval", value = "2"),
        @ResourceArg(name = "--max-concurrent-tasks", value = "3") })
class TaskExecutionIT {

    static final Duration TASK_WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path work;

    FakeOrchestrator orchestrator;
    LaunchedRunner runner;
    Path home;

    @BeforeEach
    void registered() {
        runner.awaitRegistered(orchestrator, Duration.ofSeconds(30));
        home = runner.home();
    }

    @Test
    void successfulTaskIsReportedRunningThenSuccessAndItsContainerIsRemoved() throws Exception {
        String id = orchestrator.createTask("hello exit=0 print=hi");

        TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, TASK_WAIT);

        assertThat(done.states()).containsSubsequence(TaskState.RUNNING, TaskState.SUCCESS);
        String env = Files.readString(home.resolve("runs/" + id + "/env"));
        assertThat(env).contains("TASK_ID=" + id).contains("ORCHESTRATOR_URL=" + orchestrator.url())
                .containsPattern("NODE_API_KEY=\\S+");
        Podman.awaitNoneLabelled("victoria-runner.task=" + id);
        assertThat(runner.output()).contains(id).doesNotContain(FakeBackedRunner.TOKEN);
    }

    @Test
    void aTaskWithoutFilesIsReportedRunningOnlyOnceItsContainerStarted() throws Exception {
        // Nothing needs the report before the container (files do: see the next tests), so the claim waits for none.
        String id = orchestrator.createTask("exit=0 sleep=5");

        TaskSnapshot running = orchestrator.awaitState(id, TaskState.RUNNING, TASK_WAIT);

        List<String> containers = Podman.containersLabelled("victoria-runner.task=" + id);
        assertThat(containers).hasSize(1);
        long startedNanos = Long.parseLong(Podman.run("inspect", "--format", "{{.State.StartedAt.UnixNano}}",
                containers.get(0)).strip());
        Instant reported = running.firstAt(TaskState.RUNNING);
        assertThat(reported).isAfter(Instant.ofEpochSecond(0, startedNanos));
        orchestrator.awaitState(id, TaskState.SUCCESS, TASK_WAIT);
    }

    @Test
    void nonZeroExitIsReportedAsErrorWithTheCode() throws Exception {
        String id = orchestrator.createTask("exit=3");

        TaskSnapshot done = orchestrator.awaitState(id, TaskState.ERROR, TASK_WAIT);

        assertThat(done.result()).isEqualTo("container exited with code 3");
    }

    @Test
    void taskPastItsTimeoutIsStoppedAndReported() throws Exception {
        String id = orchestrator.createTask(TaskSpec.builder("sleep=60 ignore-term").timeoutSeconds(2).build());

        TaskSnapshot done = orchestrator.awaitState(id, TaskState.ERROR, TASK_WAIT);

        // with what the agent said last: the stand-in says it ignored the SIGTERM
        assertThat(done.result()).isEqualTo("timed out after 2 s: fake-victoria: SIGTERM ignored");
        Podman.awaitNoneLabelled("victoria-runner.task=" + id);
    }

    @Test
    void promptArrivesAsOneArgumentByteForByte() throws Exception {
        String prompt = "-leading dash \"double\" 'single' $(touch /tmp/pwned) `id` $HOME *\nsecond line\ttab\n";
        String id = orchestrator.createTask(prompt);

        orchestrator.awaitState(id, TaskState.SUCCESS, TASK_WAIT);

        assertThat(Files.readString(home.resolve("runs/" + id + "/prompt"))).isEqualTo(prompt);
        assertThat(Files.readString(home.resolve("runs/" + id + "/argc")).strip()).isEqualTo("3");
    }

    @Test
    void filesAreDownloadedVerifiedAndVisibleInTheContainer() throws Exception {
        byte[] report = "quarterly numbers".getBytes(StandardCharsets.UTF_8);
        String id = orchestrator.createTask(TaskSpec.builder("files")
                .file("my report.pdf", report)
                .file("data.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8))
                .build());

        orchestrator.awaitState(id, TaskState.SUCCESS, TASK_WAIT);

        String listing = Files.readString(home.resolve("runs/" + id + "/files"));
        assertThat(listing).contains(sha256(report) + "  my report.pdf").contains("data.csv");
        assertThat(Files.readString(home.resolve("runs/" + id + "/env")))
                .contains("TASK_FILES_DIR=/workspace/Victoria/tasks/" + id.substring(0, 8) + "/files");
    }

    @Test
    void checksumMismatchFailsTheTaskBeforeAnyContainerStarts() throws Exception {
        String id = orchestrator.createTask(TaskSpec.builder("never runs")
                .file("model.bin", "the real bytes".getBytes(StandardCharsets.UTF_8))
                .servedBytes("model.bin", "tampered bytes".getBytes(StandardCharsets.UTF_8))
                .build());

        TaskSnapshot done = orchestrator.awaitState(id, TaskState.ERROR, TASK_WAIT);

        assertThat(done.result()).contains("model.bin").contains("checksum mismatch");
        assertThat(home.resolve("runs/" + id)).doesNotExist();
    }

    @Test
    void hostileFileNamesNeverLeadOutsideTheTaskFolder() throws Exception {
        // Directories are stripped; the file is asked for by the task's name for it, which this server (as the real
        // one) refuses when it holds a slash: the task ends in the server's words
        Map<String, String> results = Map.of("../escape.txt", "400: Invalid filename", "/etc/passwd-copy",
                "400: Invalid filename", "..", "refused: '..' is not a file name");
        for (Map.Entry<String, String> hostile : results.entrySet()) {
            String id = orchestrator.createTask(TaskSpec.builder("never runs")
                    .file(hostile.getKey(), "x".getBytes(StandardCharsets.UTF_8)).build());

            TaskSnapshot done = orchestrator.awaitState(id, TaskState.ERROR, TASK_WAIT);

            assertThat(done.result()).as(hostile.getKey()).contains(hostile.getValue());
            assertThat(home.resolve("runs/" + id)).doesNotExist();
        }
        assertThat(home.resolve("tasks/escape.txt")).doesNotExist();
        assertThat(home.resolveSibling("escape.txt")).doesNotExist();
    }

    @Test
    void missingImageIsReportedWithTheRuntimeMessageAndTheRunnerGoesOn() throws Exception {
        // A second runner whose image does not exist, with an orchestrator of its own (so that only it claims these
        // tasks): it must report the failure and keep serving.
        try (FakeOrchestrator own = FakeBackedRunner.fake().build().start();
                FakeBackedRunner other = FakeBackedRunner.start(own, work.resolve("second"), runner.name() + "-noimage",
                        Map.of("--container-image", "localhost/victoria-missing:none"), Map.of())) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ids.add(own.createTask("exit=0"));
            }
            for (String id : ids) {
                TaskSnapshot done = own.awaitState(id, TaskState.ERROR, TASK_WAIT);
                assertThat(done.result()).startsWith("container could not start").contains("victoria-missing");
            }
            assertThat(other.isAlive()).isTrue();
        }
    }

    @Test
    void threeTasksRunAtTheSameTime() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(orchestrator.createTask("sleep=3"));
        }
        List<TaskSnapshot> done = new ArrayList<>();
        for (String id : ids) {
            done.add(orchestrator.awaitState(id, TaskState.SUCCESS, TASK_WAIT));
        }
        // Every task was running before the first one finished.
        var firstSuccess = done.stream().map(t -> t.firstAt(TaskState.SUCCESS)).min(java.time.Instant::compareTo).orElseThrow();
        for (TaskSnapshot task : done) {
            assertThat(task.firstAt(TaskState.RUNNING)).isBefore(firstSuccess);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
