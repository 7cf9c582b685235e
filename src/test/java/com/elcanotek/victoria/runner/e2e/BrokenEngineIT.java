package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * A host whose container engine breaks: a wrapper named podman first on the runner's PATH answers every call
 * with an engine error while a flag file exists (what a restarting or wedged engine looks like to the CLI), and
 * passes every call to the real podman otherwise.
 */
class BrokenEngineIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    FakeOrchestrator orchestrator;
    Path broken;
    Map<String, String> environment;
    String name;

    @BeforeEach
    void engineThatCanBreak() throws IOException {
        Podman.ensureTestImage();
        orchestrator = FakeBackedRunner.fake().build().start();
        name = "broken-engine-" + System.nanoTime();
        broken = work.resolve("engine-broken");
        Path bin = Files.createDirectories(work.resolve("bin"));
        Path wrapper = bin.resolve("podman");
        Files.writeString(wrapper, """
                #!/bin/sh
                if [ -e '%s' ]; then
                    echo 'Error: cannot connect to the engine (made to fail by the test)' >&2
                    exit 125
                fi
                exec '%s' "$@"
                """.formatted(broken, realPodman()));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        environment = Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", FakeBackedRunner.TOKEN,
                "PATH", bin + File.pathSeparator + System.getenv("PATH"),
                "RUNNER_HOST_BREAKER_FIRST_PAUSE", "2s", "RUNNER_HOST_BREAKER_MAX_PAUSE", "4s");
    }

    @AfterEach
    void cleanUp() {
        Podman.removeLabelled(FakeBackedRunner.containerLabel(name));
        orchestrator.close();
    }

    @Test
    void aBrokenEngineStopsClaimingAfterThreeHostFailuresAndClaimingResumesOnceItIsBack() throws Exception {
        try (RunnerProcess runner = runner()) {
            // Failures of the tasks themselves never stop claiming.
            for (int i = 0; i < 3; i++) {
                orchestrator.awaitState(orchestrator.createTask("exit=1"), TaskState.ERROR, WAIT);
            }
            Files.createFile(broken);
            Instant brokeAt = Instant.now();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ids.add(orchestrator.createTask("exit=0"));
            }

            Awaitility.await().atMost(WAIT).until(() -> runner.output().contains("Claiming stopped"));
            Duration toStop = Duration.between(brokeAt, Instant.now());
            Thread.sleep(5000);
            List<TaskSnapshot> failed = ids.stream().map(orchestrator::task).filter(t -> t.state() == TaskState.ERROR).toList();
            assertThat(failed).hasSize(3).allSatisfy(t -> assertThat(t.result()).startsWith("container could not start: "));
            assertThat(ids.stream().map(orchestrator::task).filter(t -> t.state() == TaskState.PENDING)).hasSize(3);
            assertThat(Files.readString(work.resolve("state/status.json"))).contains("claiming_stopped");
            assertThat(runner.output()).contains("The host is still unhealthy");

            Files.delete(broken);
            Instant healedAt = Instant.now();
            List<String> waiting = ids.stream().filter(id -> orchestrator.task(id).state() == TaskState.PENDING).toList();
            Instant lastDone = healedAt;
            for (String id : waiting) {
                lastDone = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT).firstAt(TaskState.SUCCESS);
            }
            System.out.printf("BrokenEngineIT: claiming stopped %.1f s after the engine broke, %d task(s) failed before;"
                    + " claimed again %.1f s after it healed, the %d waiting task(s) done %.1f s after it%n",
                    toStop.toMillis() / 1000.0, failed.size(),
                    Duration.between(healedAt, orchestrator.task(waiting.get(0)).firstAt(TaskState.LEASED)).toMillis() / 1000.0,
                    waiting.size(), Duration.between(healedAt, lastDone).toMillis() / 1000.0);
        }
    }

    @Test
    void anEngineThatStopsAnsweringWhileATaskRunsLeavesTheTaskHeldUntilItAnswersAgain() throws Exception {
        try (RunnerProcess runner = runner()) {
            String id = orchestrator.createTask("sleep=6 exit=0");
            orchestrator.awaitState(id, TaskState.RUNNING, WAIT);
            awaitRunning(id);
            Files.createFile(broken);
            // Broken over the container's exit and some more.
            Thread.sleep(15_000);
            assertThat(orchestrator.task(id).state()).isEqualTo(TaskState.RUNNING);
            Files.delete(broken);

            TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
            assertThat(done.claims()).isEqualTo(1);
            assertThat(done.history()).filteredOn(c -> c.state() == TaskState.SUCCESS).hasSize(1);
            assertThat(runner.output()).contains("the task stays held");
        }
    }

    @Test
    void aTimeoutsStopThatFailsIsTriedAgainUntilTheContainerIsGone() throws Exception {
        try (RunnerProcess runner = runner()) {
            String id = orchestrator.createTask(TaskSpec.builder("sleep=120").timeoutSeconds(4).build());
            awaitRunning(id);
            Files.createFile(broken);
            Awaitility.await().atMost(WAIT).until(() -> runner.output().contains("passed its deadline"));
            Thread.sleep(3000);
            assertThat(Podman.runningLabelled("victoria-runner.task=" + id)).as("the stop failed").hasSize(1);
            Files.delete(broken);

            TaskSnapshot done = orchestrator.awaitState(id, TaskState.ERROR, WAIT);
            assertThat(done.result()).isEqualTo("timed out after 4 s");
            assertThat(Podman.runningLabelled("victoria-runner.task=" + id)).isEmpty();
        }
    }

    @Test
    void anEngineThatIsNotBackWhenTheRunnerRestartsLeavesTheTaskHeldAndReadoptsItLater() throws Exception {
        String id = orchestrator.createTask("sleep=10 exit=0");
        try (RunnerProcess first = runner()) {
            orchestrator.awaitState(id, TaskState.RUNNING, WAIT);
            awaitRunning(id);
            first.kill();
        }
        Files.createFile(broken);
        try (RunnerProcess second = runner()) {
            Awaitility.await().atMost(WAIT).until(() -> second.output().contains("the task stays held"));
            Files.delete(broken);

            TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
            assertThat(done.claims()).isEqualTo(1);
            assertThat(done.history()).filteredOn(c -> c.state() == TaskState.SUCCESS).hasSize(1);
        }
    }

    private RunnerProcess runner() throws IOException {
        return RunnerProcess.start(work, FakeBackedRunner.arguments(orchestrator, work, name,
                Map.of("--heartbeat-interval", "2", "--lease-renewal-interval", "2")), environment);
    }

    private void awaitRunning(String taskId) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> !Podman.runningLabelled("victoria-runner.task=" + taskId).isEmpty());
    }

    private static Path realPodman() {
        return Stream.of(System.getenv("PATH").split(File.pathSeparator)).map(dir -> Path.of(dir, "podman"))
                .filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException("podman not on PATH"));
    }
}
