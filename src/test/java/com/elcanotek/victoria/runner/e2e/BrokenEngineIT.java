package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.container.ContainerSpec;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * A host whose container engine breaks: a wrapper named podman first on the runner's PATH answers calls with an
 * engine error while a flag file names them (what a restarting or wedged engine looks like to the CLI), holds them
 * while another one does (a hung engine, which goes on once it is back), and passes every call to the real podman
 * otherwise. The files name subcommands ({@code run}, {@code ps}, ...) one a line, or {@code all}. A third flag makes
 * {@code run} do what podman does when the OCI runtime refuses to start a container (an engine that answers everything
 * else): it creates it and fails with exit 126.
 */
class BrokenEngineIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    FakeOrchestrator orchestrator;
    Path failing;
    Path hung;
    Path refusingStarts;
    Map<String, String> environment;
    String name;
    int managementPort;

    @BeforeEach
    void engineThatCanBreak() throws IOException {
        Podman.ensureTestImage();
        orchestrator = FakeBackedRunner.fake().build().start();
        name = "broken-engine-" + System.nanoTime();
        failing = work.resolve("engine-failing");
        hung = work.resolve("engine-hung");
        refusingStarts = work.resolve("engine-refusing-starts");
        Path bin = Files.createDirectories(work.resolve("bin"));
        Path wrapper = bin.resolve("podman");
        Files.writeString(wrapper, """
                #!/bin/sh
                affects() { [ -e "$1" ] && grep -qxE "all|$2" "$1"; }
                if affects '%s' "$1"; then
                    echo 'Error: cannot connect to the engine (made to fail by the test)' >&2
                    exit 125
                fi
                while affects '%s' "$1"; do sleep 0.2; done
                if [ "$1" = run ] && [ -e '%s' ]; then
                    shift 2
                    '%s' create "$@" >/dev/null || exit 125
                    echo 'Error: OCI runtime error: runc: container init failed (made to fail by the test)' >&2
                    exit 126
                fi
                exec '%s' "$@"
                """.formatted(failing, hung, refusingStarts, realPodman(), realPodman()));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        environment = Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", FakeBackedRunner.TOKEN,
                "PATH", bin + File.pathSeparator + System.getenv("PATH"),
                "RUNNER_HOST_BREAKER_FIRST_PAUSE", "2s", "RUNNER_HOST_BREAKER_MAX_PAUSE", "4s");
        try (ServerSocket socket = new ServerSocket(0)) {
            managementPort = socket.getLocalPort();
        }
    }

    @AfterEach
    void cleanUp() {
        Podman.removeLabelled(FakeBackedRunner.containerLabel(name));
        Podman.removeLabelled(ContainerSpec.LABEL_PROBE + "=" + name);
        orchestrator.close();
    }

    @Test
    void anEngineThatFailsMakesTheRunnerUnreadyAndClaimNothingUntilItIsBack() throws Exception {
        try (RunnerProcess runner = runner()) {
            orchestrator.awaitState(orchestrator.createTask("exit=0"), TaskState.SUCCESS, WAIT);
            Files.writeString(failing, "all\n");
            awaitReadiness(503, "container runtime does not answer");
            awaitNodeStatus("error");
            List<String> ids = createTasks(3, "exit=0");
            Thread.sleep(3000);
            assertThat(ids).allSatisfy(id -> assertThat(orchestrator.task(id).state()).isEqualTo(TaskState.PENDING));
            // The status file is rewritten every few seconds.
            Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readString(work.resolve("state/status.json")))
                    .contains("the container engine does not answer"));
            // Asked before every poll, said once.
            assertThat(runner.occurrences("no task is claimed until it answers again")).isEqualTo(1);

            Files.delete(failing);
            for (String id : ids) {
                assertThat(orchestrator.awaitState(id, TaskState.SUCCESS, WAIT).claims()).isEqualTo(1);
            }
            awaitReadiness(200, null);
            awaitNodeStatus("idle");
            assertThat(runner.output()).contains("The container engine answers again");
        }
    }

    @Test
    void anEngineThatHangsWhileATaskRunsIsNotReadyWithinSecondsClaimsNothingAndTheTaskEndsOnceWhenItIsBack() throws Exception {
        try (RunnerProcess runner = runner(Map.of("--max-concurrent-tasks", "3"))) {
            String running = orchestrator.createTask("sleep=3 exit=0");
            awaitRunning(running);
            Files.writeString(hung, "all\n");
            // Each request bounded: readiness must not hang with the engine.
            awaitReadiness(503, "container runtime does not answer");
            List<String> ids = createTasks(2, "exit=0");
            // Over the container's exit and some more.
            Thread.sleep(6000);
            assertThat(ids).allSatisfy(id -> assertThat(orchestrator.task(id).state()).isEqualTo(TaskState.PENDING));
            assertThat(orchestrator.task(running).state()).isEqualTo(TaskState.RUNNING);

            Files.delete(hung);
            TaskSnapshot done = orchestrator.awaitState(running, TaskState.SUCCESS, WAIT);
            assertThat(done.claims()).isEqualTo(1);
            assertThat(done.history()).filteredOn(c -> c.state() == TaskState.SUCCESS).hasSize(1);
            for (String id : ids) {
                orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
            }
        }
    }

    @Test
    void startsThatKeepFailingWhileTheEngineAnswersEndThreeTasksInErrorHoweverLongItLastsAndClaimingResumesOnceTheyWork()
            throws Exception {
        // Short pauses: a probe every few seconds, each of which would let a start on trial in if it did not start a
        // container itself.
        try (RunnerProcess runner = runner(Map.of(),
                Map.of("RUNNER_HOST_BREAKER_FIRST_PAUSE", "1s", "RUNNER_HOST_BREAKER_MAX_PAUSE", "3s"))) {
            // Failures of the tasks themselves never stop claiming.
            for (int i = 0; i < 3; i++) {
                orchestrator.awaitState(orchestrator.createTask("exit=1"), TaskState.ERROR, WAIT);
            }
            // What only a start finds (ps, version and images still answer), and leaves a container behind.
            Files.createFile(refusingStarts);
            Instant brokeAt = Instant.now();
            List<String> ids = createTasks(8, "exit=0");

            Awaitility.await().atMost(WAIT).until(() -> runner.output().contains("Claiming stopped"));
            Duration toStop = Duration.between(brokeAt, Instant.now());
            Instant stoppedAt = Instant.now();
            // While it holds nothing and cannot take work, the node says so in its heartbeat.
            awaitNodeStatus("error");
            // Probes after 1, 2, 3, 3, 3 and 3 s: each starts a container as tasks do, and is refused. A probe that
            // passed would let a task in to fail.
            Awaitility.await().atMost(WAIT).until(() -> runner.occurrences("The host is still unhealthy") >= 6
                    || ids.stream().map(orchestrator::task).filter(t -> t.state() == TaskState.ERROR).count() > 3);
            Duration window = Duration.between(stoppedAt, Instant.now());
            List<TaskSnapshot> failed = ids.stream().map(orchestrator::task).filter(t -> t.state() == TaskState.ERROR).toList();
            assertThat(failed).hasSize(3).allSatisfy(t -> assertThat(t.result()).startsWith("container could not start: "));
            assertThat(ids.stream().map(orchestrator::task).filter(t -> t.state() == TaskState.PENDING)).hasSize(5);
            assertThat(runner.output()).contains("a container with the tasks' options cannot start: ")
                    .doesNotContain("The host looks healthy again");
            assertThat(Files.readString(work.resolve("state/status.json"))).contains("claiming_stopped");
            assertThat(Podman.containersLabelled(FakeBackedRunner.containerLabel(name))).as("nothing of the failed starts left")
                    .isEmpty();

            Files.delete(refusingStarts);
            Instant healedAt = Instant.now();
            List<String> waiting = ids.stream().filter(id -> orchestrator.task(id).state() == TaskState.PENDING).toList();
            Instant lastDone = healedAt;
            for (String id : waiting) {
                lastDone = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT).firstAt(TaskState.SUCCESS);
            }
            assertThat(runner.output()).contains("The host looks healthy again");
            assertThat(ids.stream().map(orchestrator::task).filter(t -> t.state() == TaskState.ERROR)).hasSize(3);
            assertThat(Podman.containersLabelled(ContainerSpec.LABEL_PROBE + "=" + name)).as("no probe container left")
                    .isEmpty();
            awaitNodeStatus("idle");
            System.out.printf("BrokenEngineIT: claiming stopped %.1f s after starts began to fail, %d task(s) failed before"
                    + " and none in the %.1f s and %d probes after; the %d waiting task(s) done %.1f s after it healed%n",
                    toStop.toMillis() / 1000.0, failed.size(), window.toMillis() / 1000.0,
                    runner.occurrences("The host is still unhealthy"), waiting.size(),
                    Duration.between(healedAt, lastDone).toMillis() / 1000.0);
        }
    }

    @Test
    void aHostWithoutItsImageStopsClaimingAfterThreeFailedStartsUntilTheImageIsThere() throws Exception {
        String image = "localhost/victoria-absent-" + System.nanoTime() + ":test";
        try (RunnerProcess runner = runner(Map.of("--container-image", image))) {
            List<String> ids = createTasks(6, "exit=0");
            Awaitility.await().atMost(WAIT).until(() -> runner.output().contains("Claiming stopped"));
            // Some probes, each of which once let a start on trial fail for the same reason.
            Awaitility.await().atMost(WAIT).until(() -> runner.occurrences("The host is still unhealthy") >= 2);
            assertThat(ids.stream().map(orchestrator::task).filter(t -> t.state() == TaskState.ERROR).toList()).hasSize(3)
                    .allSatisfy(t -> assertThat(t.result()).startsWith("container could not start: ").contains(image));
            assertThat(runner.output()).contains("the image " + image + " is not on this host and cannot be pulled");

            Podman.run("tag", RunnerProcess.TEST_IMAGE, image);
            try {
                List<String> waiting = ids.stream().filter(id -> orchestrator.task(id).state() == TaskState.PENDING).toList();
                assertThat(waiting).hasSize(3);
                for (String id : waiting) {
                    orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
                }
            } finally {
                Podman.run("untag", RunnerProcess.TEST_IMAGE, image);
            }
        }
    }

    @Test
    void anEngineThatStopsAnsweringWhileATaskRunsLeavesTheTaskHeldUntilItAnswersAgain() throws Exception {
        try (RunnerProcess runner = runner()) {
            String id = orchestrator.createTask("sleep=3 exit=0");
            orchestrator.awaitState(id, TaskState.RUNNING, WAIT);
            awaitRunning(id);
            Files.writeString(failing, "all\n");
            // Broken over the container's exit and some more.
            Thread.sleep(8000);
            assertThat(orchestrator.task(id).state()).isEqualTo(TaskState.RUNNING);
            Files.delete(failing);

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
            Files.writeString(failing, "all\n");
            Awaitility.await().atMost(WAIT).until(() -> runner.output().contains("passed its deadline"));
            Thread.sleep(3000);
            assertThat(Podman.runningLabelled("victoria-runner.task=" + id)).as("the stop failed").hasSize(1);
            Files.delete(failing);

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
        Files.writeString(failing, "all\n");
        try (RunnerProcess second = runner()) {
            Awaitility.await().atMost(WAIT).until(() -> second.output().contains("the task stays held"));
            Files.delete(failing);

            TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
            assertThat(done.claims()).isEqualTo(1);
            assertThat(done.history()).filteredOn(c -> c.state() == TaskState.SUCCESS).hasSize(1);
        }
    }

    private RunnerProcess runner() throws IOException {
        return runner(Map.of());
    }

    private RunnerProcess runner(Map<String, String> options) throws IOException {
        return runner(options, Map.of());
    }

    private RunnerProcess runner(Map<String, String> options, Map<String, String> env) throws IOException {
        Map<String, String> merged = new HashMap<>(Map.of("--heartbeat-interval", "2", "--lease-renewal-interval", "2",
                "--management-port", Integer.toString(managementPort)));
        merged.putAll(options);
        Map<String, String> mergedEnv = new HashMap<>(environment);
        mergedEnv.putAll(env);
        return RunnerProcess.start(work, FakeBackedRunner.arguments(orchestrator, work, name, merged), mergedEnv);
    }

    /** The status this runner's heartbeats gave the node: error while the host cannot work, idle again after. */
    private void awaitNodeStatus(String status) {
        Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(orchestrator.nodes())
                .filteredOn(node -> node.name().equals(name)).singleElement()
                .satisfies(node -> assertThat(node.status()).isEqualTo(status)));
    }

    private List<String> createTasks(int count, String prompt) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(orchestrator.createTask(prompt));
        }
        return ids;
    }

    /** Until readiness answers {@code status} (with {@code reason}, when given); each answer must come within seconds. */
    private void awaitReadiness(int status, String reason) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(8)).build();
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptionsInstanceOf(ConnectException.class)
                .until(() -> {
                    HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
                    return answer.statusCode() == status && (reason == null || answer.body().contains(reason));
                });
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
