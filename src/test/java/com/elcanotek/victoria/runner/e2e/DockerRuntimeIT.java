package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.container.ContainerSpec;
import com.elcanotek.victoria.runner.container.DockerEngine;
import com.elcanotek.victoria.runner.container.TestEngine;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * The runner with {@code --container-runtime docker} on a real Docker engine of the tests' own ({@link DockerEngine}:
 * dockerd 20.10, as Debian 12 ships it): the basics that podman's runs check elsewhere, where docker could differ.
 */
class DockerRuntimeIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    DockerEngine engine;
    TestEngine docker;
    FakeOrchestrator orchestrator;
    String name;

    @BeforeEach
    void start() {
        engine = DockerEngine.shared();
        docker = engine.cli();
        orchestrator = FakeBackedRunner.fake().build().start();
        name = "docker-e2e-" + System.nanoTime();
    }

    @AfterEach
    void stop() {
        try {
            docker.removeLabelled(FakeBackedRunner.containerLabel(name));
        } finally {
            orchestrator.close();
        }
    }

    /** A runner on the docker engine; {@code options} as {@code --option}, value pairs over the tests' defaults. */
    private FakeBackedRunner runner(String... options) throws Exception {
        Map<String, String> merged = new LinkedHashMap<>(Map.of("--container-runtime", "docker",
                "--heartbeat-interval", "2", "--lease-renewal-interval", "2", "--max-concurrent-tasks", "5"));
        for (int i = 0; i + 1 < options.length; i += 2) {
            merged.put(options[i], options[i + 1]);
        }
        return FakeBackedRunner.start(orchestrator, work, name, merged, Map.of("DOCKER_HOST", engine.host()));
    }

    /**
     * Five tasks at once: success with its files, an exit code, a timeout, a cancel, and an agent past its memory
     * limit; each container carries the runner's labels and the limits inside it are the ones configured.
     */
    @Test
    void tasksEndWithTheirOwnOutcomeUnderTheConfiguredLimits() throws Exception {
        try (FakeBackedRunner runner = runner("--memory", "64m", "--cpus", "0.5", "--pids-limit", "200")) {
            String succeeding = orchestrator.createTask(TaskSpec.builder("files sleep=4 exit=0")
                    .file("my report.pdf", "quarterly numbers".getBytes(StandardCharsets.UTF_8)).build());
            String failing = orchestrator.createTask("exit=4");
            String timingOut = orchestrator.createTask(TaskSpec.builder("sleep=60 ignore-term").timeoutSeconds(3).build());
            String cancelled = orchestrator.createTask("sleep=120");
            String greedy = orchestrator.createTask("eat-memory=256 exit=0");

            String container = awaitRunning(succeeding);
            Map<String, String> labels = labels(container);
            assertThat(labels).containsEntry(ContainerSpec.LABEL_TASK, succeeding)
                    .containsEntry(ContainerSpec.LABEL_RUNNER, name)
                    .containsEntry(ContainerSpec.LABEL_NODE, orchestrator.nodes().stream()
                            .filter(node -> node.name().equals(name)).findFirst().orElseThrow().id());
            // as the agent sees them: cgroup v1 here, v2 on current distros
            assertThat(docker.call("exec", container, "sh", "-c", "cat /sys/fs/cgroup/memory.max 2>/dev/null"
                    + " || cat /sys/fs/cgroup/memory/memory.limit_in_bytes").strip()).isEqualTo("67108864");
            assertThat(docker.call("exec", container, "sh", "-c", "cat /sys/fs/cgroup/pids.max 2>/dev/null"
                    + " || cat /sys/fs/cgroup/pids/pids.max").strip()).isEqualTo("200");
            assertThat(docker.call("exec", container, "sh", "-c", "cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo"
                    + " $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)").strip())
                    .isEqualTo("50000 100000");
            // one docker events process for all its containers, started with the first
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> eventStreams().size() == 1);

            awaitRunning(cancelled);
            Instant cancelledAt = Instant.now();
            orchestrator.cancel(cancelled);

            TaskSnapshot done = orchestrator.awaitState(succeeding, TaskState.SUCCESS, WAIT);
            assertThat(done.states()).containsSubsequence(TaskState.RUNNING, TaskState.SUCCESS);
            assertThat(Files.readString(runner.home().resolve("runs/" + succeeding + "/files"))).contains("  my report.pdf");
            assertThat(orchestrator.awaitState(failing, TaskState.ERROR, WAIT).result()).isEqualTo("container exited with code 4");
            assertThat(orchestrator.awaitState(timingOut, TaskState.ERROR, WAIT).result()).isEqualTo("timed out after 3 s: fake-victoria: SIGTERM ignored");
            assertThat(orchestrator.awaitState(greedy, TaskState.ERROR, WAIT).result())
                    .startsWith("out of memory").contains("memory limit of 64m").contains("exit code 137");
            awaitNoContainer(cancelled);
            assertThat(Duration.between(cancelledAt, Instant.now())).isLessThan(Duration.ofSeconds(15));
            TaskSnapshot cancelledTask = orchestrator.task(cancelled);
            assertThat(cancelledTask.state()).isEqualTo(TaskState.CANCELLED);
            assertThat(finals(cancelledTask)).isZero();
            for (String id : List.of(succeeding, failing, timingOut, greedy)) {
                awaitNoContainer(id);
                assertThat(finals(orchestrator.task(id))).as(id).isEqualTo(1);
            }
        }
    }

    /**
     * Docker keeps containers with its daemon, not with the runner: a runner killed with one task running and one
     * about to end is restarted, re-adopts the first and reports the exit of the second that came meanwhile.
     */
    @Test
    void aRestartedRunnerReadoptsItsContainersAndReportsEachOnce() throws Exception {
        String running = orchestrator.createTask("sleep=8 exit=5");
        String endingMeanwhile = orchestrator.createTask("sleep=1 exit=0");
        try (FakeBackedRunner first = runner()) {
            awaitRunning(running);
            awaitRunning(endingMeanwhile);
        }
        Awaitility.await().atMost(WAIT).until(() -> docker.idsLabelled(taskLabel(endingMeanwhile), true).isEmpty());
        assertThat(docker.idsLabelled(taskLabel(running), true)).hasSize(1);

        try (FakeBackedRunner second = runner()) {
            assertThat(orchestrator.awaitState(endingMeanwhile, TaskState.SUCCESS, WAIT).result()).isEqualTo("completed");
            TaskSnapshot done = orchestrator.awaitState(running, TaskState.ERROR, WAIT);
            assertThat(done.result()).isEqualTo("container exited with code 5");
            assertThat(second.output()).contains("still running after the restart");
            for (String id : List.of(running, endingMeanwhile)) {
                assertThat(orchestrator.task(id).claims()).as(id).isEqualTo(1);
                assertThat(finals(orchestrator.task(id))).as(id).isEqualTo(1);
                awaitNoContainer(id);
            }
        }
    }

    private static String taskLabel(String taskId) {
        return ContainerSpec.LABEL_TASK + "=" + taskId;
    }

    /** @return the id of the task's container, once it runs */
    private String awaitRunning(String taskId) {
        // The ids seen running, not asked again: a short task may have ended between two looks.
        return Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> docker.idsLabelled(taskLabel(taskId), true), ids -> !ids.isEmpty()).get(0);
    }

    /** Containers are removed just after their task's final report. */
    private void awaitNoContainer(String taskId) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> docker.idsLabelled(taskLabel(taskId), false).isEmpty());
    }

    private Map<String, String> labels(String container) {
        Map<String, String> labels = new LinkedHashMap<>();
        docker.call("inspect", "--format", "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}\n{{end}}", container).lines()
                .filter(line -> line.contains("="))
                .forEach(line -> labels.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
        return labels;
    }

    /** The runner's {@code docker events} processes watching its containers. */
    private List<ProcessHandle> eventStreams() {
        return ProcessHandle.allProcesses().filter(process -> process.info().arguments()
                .map(args -> List.of(args).contains("events")
                        && List.of(args).contains("label=" + FakeBackedRunner.containerLabel(name)))
                .orElse(false)).toList();
    }

    private static long finals(TaskSnapshot task) {
        return task.history().stream().filter(c -> c.state() == TaskState.SUCCESS || c.state() == TaskState.ERROR).count();
    }
}
