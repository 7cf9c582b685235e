package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * The runner on the docker CLI, here talking to podman's Docker-compatible API (no Docker engine runs on
 * these machines). The containers land in the same storage, so podman sees what docker started.
 */
class DockerRuntimeIT {

    static final String PODMAN_API = "unix:///run/podman/podman.sock";
    static final Duration TASK_WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path work;

    static FakeOrchestrator orchestrator;
    static FakeBackedRunner runner;

    @BeforeAll
    static void start() throws Exception {
        orchestrator = FakeBackedRunner.fake().build().start();
        runner = FakeBackedRunner.start(orchestrator, work, "docker-e2e-" + ProcessHandle.current().pid(),
                Map.of("--container-runtime", "docker"), Map.of("DOCKER_HOST", PODMAN_API));
    }

    @AfterAll
    static void stop() throws Exception {
        // Closes the runner, then the fake it talks to; one left null by a failed set-up is skipped.
        try (FakeOrchestrator fake = orchestrator; FakeBackedRunner last = runner) {
            // nothing to do but close
        }
    }

    @Test
    void failingTaskWithFilesIsReportedRunningThenErrorWithItsExitCode() throws Exception {
        String id = orchestrator.createTask(TaskSpec.builder("files exit=4")
                .file("my report.pdf", "quarterly numbers".getBytes(StandardCharsets.UTF_8))
                .build());

        TaskSnapshot done = orchestrator.awaitState(id, TaskState.ERROR, TASK_WAIT);

        assertThat(done.states()).containsSubsequence(TaskState.RUNNING, TaskState.ERROR);
        assertThat(done.result()).isEqualTo("container exited with code 4");
        Path run = runner.home().resolve("runs/" + id);
        assertThat(Files.readString(run.resolve("files"))).contains("  my report.pdf");
        assertThat(Files.readString(run.resolve("done")).strip()).isEqualTo("4");
        Podman.awaitNoneLabelled("victoria-runner.task=" + id);
    }

    @Test
    void successfulTaskIsReportedSuccessAndItsContainerIsRemoved() throws Exception {
        String id = orchestrator.createTask("exit=0");

        TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, TASK_WAIT);

        assertThat(done.states()).containsSubsequence(TaskState.RUNNING, TaskState.SUCCESS);
        assertThat(done.result()).isEqualTo("completed");
        Podman.awaitNoneLabelled("victoria-runner.task=" + id);
    }
}
