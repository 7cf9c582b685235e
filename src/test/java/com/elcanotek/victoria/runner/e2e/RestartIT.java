package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;

/** A runner that is killed or stopped mid-task loses nothing and runs nothing twice. */
class RestartIT {

    static final String TOKEN = "reg-token-restart";
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    FakeOrchestrator orchestrator;
    String name;

    @BeforeEach
    void start() {
        Podman.ensureTestImage();
        orchestrator = FakeOrchestrator.builder().registrationToken(TOKEN).build().start();
        name = "restart-" + System.nanoTime();
    }

    @AfterEach
    void stop() {
        Podman.removeLabelled("victoria-runner.runner=" + name);
        orchestrator.close();
    }

    @Test
    void killedWhileTheTaskRunsThenRestartedReportsTheTaskOnceWithItsRealExitCode() throws Exception {
        String id = orchestrator.createTask("sleep=6 exit=5");
        try (RunnerProcess first = runner()) {
            awaitContainer(id, "running");
            first.kill();
        }
        assertThat(Podman.containersLabelled("victoria-runner.task=" + id)).hasSize(1);

        try (RunnerProcess second = runner()) {
            // The first heartbeat after the restart names the task really running.
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> orchestrator.nodes().stream()
                    .anyMatch(n -> name.equals(n.name()) && id.equals(n.currentTaskId()) && "busy".equals(n.status())));
            TaskSnapshot done = orchestrator.awaitState(id, TaskState.ERROR, WAIT);

            assertThat(done.result()).isEqualTo("container exited with code 5");
            assertThat(finals(done)).isEqualTo(1);
            assertThat(second.output()).contains("still running after the restart");
        }
    }

    @Test
    void containerThatExitedWhileTheRunnerWasDownIsReported() throws Exception {
        String id = orchestrator.createTask("sleep=2 exit=0");
        try (RunnerProcess first = runner()) {
            awaitContainer(id, "running");
            first.kill();
        }
        awaitContainer(id, "exited");

        try (RunnerProcess second = runner()) {
            TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);

            assertThat(finals(done)).isEqualTo(1);
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> Podman.containersLabelled("victoria-runner.task=" + id).isEmpty());
        }
    }

    @Test
    void sigtermLeavesTheContainerRunningAndTheNextRunnerAdoptsIt() throws Exception {
        String id = orchestrator.createTask("sleep=5 exit=0");
        String firstOutput;
        try (RunnerProcess first = runner()) {
            awaitContainer(id, "running");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> eventStreams().size() == 1);

            assertThat(first.terminate(Duration.ofSeconds(20))).isZero();
            firstOutput = first.output();
        }
        // The runner's one events process, watching the container it left running, ended with it.
        assertThat(eventStreams()).as(firstOutput).isEmpty();
        assertThat(Podman.run("inspect", "--format", "{{.State.Status}}", "victoria-" + id.substring(0, 8)).strip())
                .as(firstOutput).isEqualTo("running");

        try (RunnerProcess second = runner()) {
            TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
            assertThat(finals(done)).isEqualTo(1);
        }
    }

    @Test
    void theEventsProcessAKilledRunnerLeftIsEndedByTheNextStart() throws Exception {
        String id = orchestrator.createTask("sleep=30 exit=0");
        List<ProcessHandle> left;
        try (RunnerProcess first = runner()) {
            awaitContainer(id, "running");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> eventStreams().size() == 1);
            left = eventStreams();
            first.kill();
        }
        assertThat(left.get(0).isAlive()).as("orphaned by kill -9").isTrue();

        try (RunnerProcess second = runner()) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !left.get(0).isAlive());
            assertThat(second.output()).contains("Ended 1 container event stream(s) left by an earlier run");
            // The restarted runner watches with a stream of its own.
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> eventStreams().size() == 1);
            assertThat(eventStreams().get(0).parent().map(ProcessHandle::pid)).contains(second.pid());
        }
    }

    /** The {@code podman events} processes watching this test's runner, whoever their parent is now. */
    private List<ProcessHandle> eventStreams() {
        return ProcessHandle.allProcesses().filter(process -> process.info().arguments()
                .map(args -> List.of(args).contains("events") && List.of(args).contains("label=victoria-runner.runner=" + name))
                .orElse(false)).toList();
    }

    @Test
    void onShutdownStopEndsRunningTasksAsErrorsAndLeavesNoContainer() throws Exception {
        String id = orchestrator.createTask("sleep=120");
        try (RunnerProcess runner = runner("--on-shutdown", "stop")) {
            awaitContainer(id, "running");

            assertThat(runner.terminate(Duration.ofSeconds(30))).isZero();
        }
        TaskSnapshot done = orchestrator.awaitState(id, TaskState.ERROR, Duration.ofSeconds(5));
        assertThat(done.result()).isEqualTo("runner shut down");
        assertThat(Podman.containersLabelled("victoria-runner.task=" + id)).isEmpty();
    }

    @Test
    void killedDuringADownloadResumesTheTaskAfterTheRestartAndRunsItOnce() throws Exception {
        byte[] content = new byte[256 * 1024];
        new java.util.Random(7).nextBytes(content);
        String id = orchestrator.createTask(TaskSpec.builder("exit=0")
                .file("slow.bin", content).stall("slow.bin", Duration.ofSeconds(60)).build());
        try (RunnerProcess first = runner()) {
            orchestrator.awaitState(id, TaskState.RUNNING, WAIT);
            Awaitility.await().atMost(WAIT).until(() -> orchestrator.fileRanges("slow.bin").size() == 1);
            Thread.sleep(1000);
            first.kill();
        }

        try (RunnerProcess second = runner()) {
            TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);

            assertThat(finals(done)).isEqualTo(1);
            assertThat(done.claims()).isEqualTo(1);
            assertThat(second.output()).contains("the runner restarted before the container started; starting the task again");
            // The second download took up where the first stopped, in the middle of the body.
            List<String> ranges = orchestrator.fileRanges("slow.bin");
            assertThat(ranges).hasSize(2).first().isEqualTo("");
            assertThat(ranges.get(1)).matches("bytes=[1-9][0-9]*-");
            assertThat(Files.readString(work.resolve("home/runs/" + id + "/files")))
                    .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)) + "  slow.bin\n");
        }
    }

    @Test
    void aSecondRunnerOnTheSameStateDirExitsAtOnceAndStaleEnvFilesAreRemoved() throws Exception {
        Path env = Files.createDirectories(work.resolve("state/env"));
        Path stale = Files.writeString(env.resolve("deadbeef-123.env"), "NODE_API_KEY=left-by-a-killed-runner\n");
        try (RunnerProcess first = runner()) {
            Awaitility.await().atMost(WAIT).until(() -> orchestrator.nodes().stream().anyMatch(n -> name.equals(n.name())));
            assertThat(stale).doesNotExist();

            try (RunnerProcess second = runner()) {
                assertThat(second.waitFor(Duration.ofSeconds(20))).isEqualTo(1);
                assertThat(second.output()).contains("Another victoria-runner (pid " + first.pid() + ") is already running on the state dir");
            }
            assertThat(first.isAlive()).isTrue();
        }
    }

    @Test
    void corruptJournalFileIsSetAsideOnceAndTheRunnerGoesOn() throws Exception {
        Path journal = Files.createDirectories(work.resolve("state/journal"));
        Files.writeString(journal.resolve("3f1c0c1e-0000-4000-8000-000000000000.json"), "{\"task\": {\"task_id\": tor");
        String id = orchestrator.createTask("exit=0");

        try (RunnerProcess runner = runner()) {
            orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
            assertThat(runner.output()).containsOnlyOnce("set aside as 3f1c0c1e-0000-4000-8000-000000000000.json.unreadable");
        }
        assertThat(journal.resolve("3f1c0c1e-0000-4000-8000-000000000000.json.unreadable")).exists();
        assertThat(journal.resolve("3f1c0c1e-0000-4000-8000-000000000000.json")).doesNotExist();
    }

    /**
     * Several tasks at once: each lease renewed on its own (a heartbeat names one), one cancelled while the others
     * run, then a kill -9; the next runner takes every one up and ends each exactly once with its own outcome.
     */
    @Test
    void killedWithSeveralTasksRunningTheNextRunnerEndsEachOnceWithItsOwnOutcome() throws Exception {
        String succeeding = orchestrator.createTask("sleep=10 exit=0");
        String failing = orchestrator.createTask("sleep=10 exit=3");
        String timingOut = orchestrator.createTask(TaskSpec.builder("sleep=60").timeoutSeconds(12).build());
        String cancelled = orchestrator.createTask("sleep=60");
        try (RunnerProcess first = runner("--max-concurrent-tasks", "4")) {
            Awaitility.await().atMost(WAIT).until(() -> Podman.runningLabelled("victoria-runner.runner=" + name).size() == 4);
            orchestrator.cancel(cancelled);
            Awaitility.await().atMost(WAIT).until(() -> Podman.runningLabelled("victoria-runner.task=" + cancelled).isEmpty());
            first.kill();
        }
        try (RunnerProcess second = runner("--max-concurrent-tasks", "4")) {
            assertThat(orchestrator.awaitState(succeeding, TaskState.SUCCESS, WAIT).result()).isEqualTo("completed");
            assertThat(orchestrator.awaitState(failing, TaskState.ERROR, WAIT).result()).isEqualTo("container exited with code 3");
            assertThat(orchestrator.awaitState(timingOut, TaskState.ERROR, WAIT).result()).isEqualTo("timed out after 12 s");
            for (String id : List.of(succeeding, failing, timingOut, cancelled)) {
                TaskSnapshot task = orchestrator.task(id);
                assertThat(task.claims()).as(id).isEqualTo(1);
                assertThat(finals(task)).as(id).isEqualTo(id.equals(cancelled) ? 0 : 1);
                // renewed every 2 s, the restart included: far from the 5 minutes
                assertThat(task.longestLeaseGap()).as(id).isLessThan(Duration.ofSeconds(15));
            }
            assertThat(orchestrator.task(cancelled).state()).isEqualTo(TaskState.CANCELLED);
            Podman.awaitNoneLabelled("victoria-runner.runner=" + name);
        }
    }

    private RunnerProcess runner(String... extra) throws Exception {
        Map<String, String> options = new java.util.LinkedHashMap<>(
                Map.of("--heartbeat-interval", "2", "--lease-renewal-interval", "2"));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            options.put(extra[i], extra[i + 1]);
        }
        return RunnerProcess.start(work, FakeBackedRunner.arguments(orchestrator, work, name, options),
                Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", TOKEN));
    }

    private void awaitContainer(String taskId, String status) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> Podman
                .run("ps", "-a", "--filter", "label=victoria-runner.task=" + taskId, "--format", "{{.State}}")
                .strip().toLowerCase().startsWith(status.equals("running") ? "up" : "exited"));
    }

    private static long finals(TaskSnapshot task) {
        return task.history().stream().filter(c -> c.state() == TaskState.SUCCESS || c.state() == TaskState.ERROR)
                .count();
    }
}
