package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.elcanotek.victoria.runner.state.Layout;

/**
 * The {@link ContainerRuntime} contract against a real engine and the fake Victoria image; run
 * once per CLI. Every container carries this test's own label and is removed afterwards.
 */
abstract class RuntimeContractTest {

    private final String testId = UUID.randomUUID().toString();
    final ContainerRuntime runtime = createRuntime(new ObjectMapper());
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    /** Exits are awaited as production does, watching this test's own label. */
    private final ContainerExits exits = new ContainerExits(runtime, Map.of(TestEngine.TEST_LABEL, testId), executor,
            Clock.systemUTC(), ContainerExits.Timing.DEFAULT);

    @TempDir
    Path home;
    @TempDir
    Path stateDir;

    abstract ContainerRuntime createRuntime(ObjectMapper mapper);

    /** Where the runtime's containers are, for set-up and clean-up: podman's storage unless said otherwise. */
    TestEngine engine() {
        return TestEngine.PODMAN;
    }

    @AfterEach
    void removeContainers() {
        exits.close();
        executor.shutdownNow();
        engine().removeLabelled(TestEngine.TEST_LABEL + "=" + testId);
    }

    /** A task container as production builds it (including the host-gateway request), plus the test label. */
    private ContainerSpec task(String taskId, String prompt, String image, Map<String, String> labels) throws IOException {
        Path envFile = writeEnvFile(taskId, Map.of("TASK_ID", taskId));
        Layout layout = new Layout(home.resolve("state"), home);
        ContainerSpec spec = ContainerSpec.forTask(taskId, prompt, image, layout, List.of(envFile), "node-1", "runner-test",
                ContainerPolicy.DEFAULT);
        // The supervisor creates them before each start; the engine refuses to mount a folder that does not exist.
        Files.createDirectories(layout.sessionDir(taskId));
        Map<String, String> allLabels = new HashMap<>(spec.labels());
        allLabels.putAll(labels);
        allLabels.put(TestEngine.TEST_LABEL, testId);
        return new ContainerSpec(spec.name(), spec.image(), spec.args(), spec.mounts(), spec.masks(), spec.envFiles(),
                allLabels, spec.addHostGateway(), spec.policy(), spec.entrypoint());
    }

    private ContainerSpec task(String taskId, String prompt) throws IOException {
        return task(taskId, prompt, TestEngine.IMAGE, Map.of());
    }

    private Path writeEnvFile(String taskId, Map<String, String> values) throws IOException {
        Path file = Files.createFile(stateDir.resolve(taskId + ".env"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        StringBuilder text = new StringBuilder();
        values.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return Files.writeString(file, text);
    }

    private static String newTaskId() {
        return UUID.randomUUID().toString();
    }

    private Path runDir(String taskId) {
        return home.resolve("runs").resolve(taskId);
    }

    /**
     * Starts a task and returns once the fake agent has set its SIGTERM trap: it starts its {@code sleep} right
     * after, which the engine's {@code top} shows (a fixed pause after an earlier marker was too short under load).
     */
    private String startReady(String taskId, String prompt) throws Exception {
        String id = runtime.start(task(taskId, prompt));
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> engine().call("top", id).lines().anyMatch(line -> line.contains(" sleep ")));
        return id;
    }

    private interface Action {
        void run() throws Exception;
    }

    private static Duration timed(Action action) throws Exception {
        long started = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - started);
    }

    @Test
    void awaitGivesTheExitCode() throws Exception {
        String ok = runtime.start(task(newTaskId(), "exit=0"));
        String failed = runtime.start(task(newTaskId(), "exit=3"));

        assertThat(ok).matches("[0-9a-f]{64}");
        assertThat(exits.await(ok)).isZero();
        assertThat(exits.await(failed)).isEqualTo(3);
    }

    /**
     * What {@link LimitSupport#of} says is what a container started with limits sees of them: each limit
     * it says holds is in force, and each it says does not is absent. {@code --shm-size} holds everywhere.
     */
    @Test
    void theLimitsTheEngineSaysItEnforcesAreTheOnesTheContainerSees() throws Exception {
        String taskId = newTaskId();
        ContainerSpec plain = task(taskId, "limits no-session");
        ContainerPolicy limited = new ContainerPolicy("64m", "0.5", 100, "32m", true, true,
                ContainerPolicy.DEFAULT_CAPABILITIES, List.of(),
                null, 0, null);
        ContainerSpec spec = new ContainerSpec(plain.name(), plain.image(), plain.args(), plain.mounts(), plain.masks(),
                plain.envFiles(), plain.labels(), plain.addHostGateway(), limited, plain.entrypoint());
        LimitSupport support = LimitSupport.of(runtime);

        assertThat(exits.await(runtime.start(spec))).isZero();

        Map<String, String> seen = new HashMap<>();
        Files.readAllLines(runDir(taskId).resolve("limits")).forEach(line -> seen.put(line.substring(0, line.indexOf(' ')),
                line.substring(line.indexOf(' ') + 1)));
        assertThat(seen.get("memory.max")).as(support.toString()).isEqualTo(support.memory() ? "67108864" : "max");
        assertThat(seen.get("cpu.max")).as(support.toString()).startsWith(support.cpus() ? "50000 " : "max ");
        assertThat(seen.get("pids.max")).as(support.toString()).isEqualTo(support.pids() ? "100" : "max");
        assertThat(seen.get("shm")).isEqualTo("32768");
    }

    @Test
    void promptArrivesByteExact() throws Exception {
        String taskId = newTaskId();
        String prompt = "-x --task \"double\" 'single' \\back\n$(touch /workspace/Victoria/pwned) "
                + "`touch /workspace/Victoria/pwned2` ; echo hi | cat && ünï €\ttab\n\n";

        String id = runtime.start(task(taskId, prompt));

        assertThat(exits.await(id)).isZero();
        assertThat(Files.readAllBytes(runDir(taskId).resolve("prompt"))).isEqualTo(prompt.getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(runDir(taskId).resolve("argc")).strip()).isEqualTo("3");
        assertThat(home.resolve("pwned")).doesNotExist();
        assertThat(home.resolve("pwned2")).doesNotExist();
    }

    @Test
    void envFileValuesReachTheAgentButNotTheArgv() throws Exception {
        String taskId = newTaskId();
        String secret = "secret-" + UUID.randomUUID();
        Path envFile = writeEnvFile(taskId + "-secrets", Map.of(
                "ORCHESTRATOR_URL", "http://host.containers.internal:8080",
                "NODE_API_KEY", secret,
                "FAKE_SPACES", "a b = c"));
        ContainerSpec base = task(taskId, "exit=0");
        ContainerSpec spec = new ContainerSpec(base.name(), base.image(), base.args(), base.mounts(), base.masks(),
                List.of(base.envFiles().get(0), envFile), base.labels(), base.addHostGateway(), base.policy(), base.entrypoint());

        assertThat(exits.await(runtime.start(spec))).isZero();

        assertThat(Files.readAllLines(runDir(taskId).resolve("env"))).contains(
                "TASK_ID=" + taskId,
                "ORCHESTRATOR_URL=http://host.containers.internal:8080",
                "NODE_API_KEY=" + secret,
                "FAKE_SPACES=a b = c");
        assertThat(spec.runArguments(new Engine(Engine.Kind.PODMAN, runtime.version()), ContainerPolicy.Dialect.PODMAN))
                .noneMatch(arg -> arg.contains(secret));
    }

    /**
     * A task's agent sees the operator's shared workspace and its own task's folder, and nothing of any other task,
     * running or past: it can neither list, nor read (here: take another task's session as its own), nor rewrite
     * another task's files. The engine must not fill the tmpfs over tasks/ with a copy of what lies beneath it.
     */
    @Test
    void aTaskSeesTheSharedHomeAndItsOwnTaskFolderButNoOtherTasks() throws Exception {
        Files.writeString(Files.createDirectories(home.resolve("protocols")).resolve("shared.md"), "shared");
        Path past = Files.writeString(Files.createDirectories(home.resolve("tasks/0ld0ld00/files")).resolve("secret.txt"), "past");
        String running = newTaskId();
        String runningShort = running.substring(0, 8);
        Path runningFile = Files.writeString(Files.createDirectories(home.resolve("tasks/" + runningShort + "/files"))
                .resolve("input.txt"), "running task's input");
        String runningContainer = startReady(running, "sleep=60");
        Path runningSession = home.resolve("tasks/" + runningShort + "/.crush/crush.db");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(runningSession));
        String taskId = newTaskId();
        String own = taskId.substring(0, 8);
        Files.writeString(Files.createDirectories(home.resolve("tasks/" + own + "/files")).resolve("own.txt"), "own");

        ContainerSpec base = task(taskId, "write=tasks/" + runningShort + "/files/input.txt session-from=tasks/" + runningShort
                + "/.crush/crush.db exit=0");
        // The agent records every regular file under TASK_FILES_DIR: here, what it sees of the whole home.
        Path everything = writeEnvFile(taskId + "-files", Map.of("TASK_FILES_DIR", ContainerSpec.VICTORIA_HOME_IN_CONTAINER));
        String id = runtime.start(new ContainerSpec(base.name(), base.image(), base.args(), base.mounts(), base.masks(),
                List.of(base.envFiles().get(0), everything), base.labels(), base.addHostGateway(), base.policy(),
                base.entrypoint()));

        assertThat(exits.await(id)).isZero();
        List<String> seen = Files.readAllLines(runDir(taskId).resolve("files")).stream()
                .map(line -> line.substring(line.indexOf("  ") + 2)).toList();
        assertThat(seen).contains("protocols/shared.md", "tasks/" + own + "/files/own.txt");
        assertThat(seen).filteredOn(path -> path.startsWith("tasks/"))
                .allMatch(path -> path.startsWith("tasks/" + own + "/"), "only the task's own folder");
        assertThat(runningFile).hasContent("running task's input");
        assertThat(past).hasContent("past");
        assertThat(home.resolve("tasks/" + own + "/.crush/crush.db")).as("the other task's session copied as its own")
                .doesNotExist();
        runtime.stop(runningContainer, Duration.ZERO);
    }

    /**
     * The agent keeps the policy's capabilities and no other: CHOWN (bit 0), DAC_OVERRIDE (1), FOWNER (3), KILL (5),
     * SETGID (6), SETUID (7), as the kernel shows them to a process of the agent (its session is a copy of
     * /proc/self/status here).
     */
    @Test
    void theAgentKeepsOnlyThePolicysCapabilities() throws Exception {
        String taskId = newTaskId();

        String id = runtime.start(task(taskId, "session-from=../../proc/self/status exit=0"));

        assertThat(exits.await(id)).isZero();
        List<String> status = Files.readAllLines(home.resolve("tasks/" + taskId.substring(0, 8) + "/.crush/crush.db"));
        assertThat(status).contains("CapBnd:\t00000000000000eb", "CapEff:\t00000000000000eb");
    }

    @Test
    void logsGivesBothStreamsOrTheirLastLinesFollowsUntilTheExitAndFailsForNoContainer() throws Exception {
        String id = runtime.start(task(newTaskId(), "print=out-1 stderr=err-1 print=out-2 no-session sleep=1 exit=3"));

        ByteArrayOutputStream followed = new ByteArrayOutputStream();
        runtime.logs(id, 0, true, followed);

        assertThat(runtime.inspect(id).orElseThrow().state()).as("followed to its end").isEqualTo(ContainerState.EXITED);
        // the order between the two streams is the engine's
        assertThat(followed.toString(StandardCharsets.UTF_8).lines()).containsExactlyInAnyOrder("out-1", "err-1", "out-2");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        runtime.logs(id, 0, false, all);
        assertThat(all.toString(StandardCharsets.UTF_8)).isEqualTo(followed.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream last = new ByteArrayOutputStream();
        runtime.logs(id, 1, false, last);
        assertThat(last.toString(StandardCharsets.UTF_8).lines().toList()).hasSize(1)
                .isEqualTo(all.toString(StandardCharsets.UTF_8).lines().skip(2).toList());
        assertThatThrownBy(() -> runtime.logs("victoria-none-" + testId, 0, false, new ByteArrayOutputStream()))
                .isInstanceOf(ContainerException.class);
    }

    @Test
    void stopKillsAContainerIgnoringSigtermAfterTheGrace() throws Exception {
        String taskId = newTaskId();
        String id = startReady(taskId, "ignore-term sleep=60");

        Duration took = timed(() -> runtime.stop(id, Duration.ofSeconds(2)));

        assertThat(took).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(6));
        assertThat(exits.await(id)).isEqualTo(137);
        assertThat(runDir(taskId).resolve("term-ignored")).exists();
    }

    @Test
    void stopEndsACooperativeContainerAtOnce() throws Exception {
        String taskId = newTaskId();
        String id = startReady(taskId, "sleep=60");

        assertThat(timed(() -> runtime.stop(id, Duration.ofSeconds(20)))).isLessThan(Duration.ofSeconds(5));
        assertThat(exits.await(id)).isEqualTo(143);
        assertThat(runDir(taskId).resolve("terminated")).exists();
    }

    @Test
    void missingImageFailsWithTheEnginesMessage() throws Exception {
        String image = "localhost/victoria-missing-" + testId + ":none";
        ContainerSpec spec = task(newTaskId(), "exit=0", image, Map.of());

        Duration took = timed(() -> assertThatThrownBy(() -> runtime.start(spec))
                .isInstanceOf(ContainerException.class)
                .hasMessageContaining(image)
                .hasMessageNotContaining("level=warning")
                .satisfies(e -> assertThat(((ContainerException) e).exitCode()).isEqualTo(125)));

        assertThat(took).isLessThan(Duration.ofSeconds(20));
        assertThat(runtime.inspect(spec.name())).isEmpty();
    }

    @Test
    void listFindsLabelledContainersInEveryState() throws Exception {
        String runningTask = newTaskId();
        String exitedTask = newTaskId();
        Map<String, String> batch = Map.of("victoria-runner.batch", testId);
        String running = runtime.start(task(runningTask, "sleep=30", TestEngine.IMAGE, batch));
        String exited = runtime.start(task(exitedTask, "exit=3", TestEngine.IMAGE, batch));
        runtime.start(task(newTaskId(), "sleep=30"));
        exits.await(exited);

        List<ContainerInfo> found = runtime.list(Map.of(TestEngine.TEST_LABEL, testId, "victoria-runner.batch", testId));

        assertThat(found).extracting(ContainerInfo::id).containsExactlyInAnyOrder(running, exited);
        ContainerInfo run = found.stream().filter(c -> c.id().equals(running)).findFirst().orElseThrow();
        assertThat(run.state()).isEqualTo(ContainerState.RUNNING);
        assertThat(run.exitCode()).isNull();
        assertThat(run.startedAt()).isNotNull();
        assertThat(run.finishedAt()).isNull();
        assertThat(run.name()).isEqualTo("victoria-" + runningTask.substring(0, 8));
        assertThat(run.labels()).containsEntry(ContainerSpec.LABEL_TASK, runningTask)
                .containsEntry(ContainerSpec.LABEL_NODE, "node-1")
                .containsEntry(ContainerSpec.LABEL_RUNNER, "runner-test");
        ContainerInfo done = found.stream().filter(c -> c.id().equals(exited)).findFirst().orElseThrow();
        assertThat(done.state()).isEqualTo(ContainerState.EXITED);
        assertThat(done.exitCode()).isEqualTo(3);
        // conmon stamps a very short run's end a millisecond or so before its start
        assertThat(done.finishedAt()).isAfterOrEqualTo(done.startedAt().minusSeconds(1));
        assertThat(done.labels()).containsEntry(ContainerSpec.LABEL_TASK, exitedTask);
        assertThat(runtime.runningIds(Map.of(TestEngine.TEST_LABEL, testId, "victoria-runner.batch", testId)))
                .containsExactly(running);
    }

    @Test
    void listWithNoMatchIsEmpty() {
        assertThat(runtime.list(Map.of(TestEngine.TEST_LABEL, testId))).isEmpty();
    }

    @Test
    void inspectOfAMissingContainerIsEmpty() {
        assertThat(runtime.inspect("victoria-missing-" + testId)).isEmpty();
    }

    @Test
    void removeIsIdempotentAndDoesNotWaitForSigterm() throws Exception {
        String id = startReady(newTaskId(), "ignore-term sleep=60");

        assertThat(timed(() -> runtime.remove(id))).isLessThan(Duration.ofSeconds(5));
        assertThat(runtime.inspect(id)).isEmpty();
        runtime.remove(id);
    }

    @Test
    void awaitNeverReadsANeverStartedContainerAsSuccess() {
        String name = "victoria-created-" + testId.substring(0, 8);
        engine().createOnly(name, testId);

        assertThatThrownBy(() -> exits.await(name)).isInstanceOf(ContainerException.class)
                .hasMessageContaining("CREATED");
    }

    @Test
    void awaitOfAMissingContainerFails() {
        assertThatThrownBy(() -> exits.await("victoria-missing-" + testId))
                .isInstanceOf(ContainerException.class).hasMessageContaining("no such container");
    }

    /** The tasks above were started from forTask specs, which request host-gateway: on podman 4.x the flag would fail them. */
    @Test
    void versionIsTheEnginesAndDecidesHostGateway() {
        String version = runtime.version();

        assertThat(version).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(((CliContainerRuntime) runtime).engine().supportsHostGateway()).isEqualTo(Integer.parseInt(version.split("\\.")[0]) >= 5);
    }
}
