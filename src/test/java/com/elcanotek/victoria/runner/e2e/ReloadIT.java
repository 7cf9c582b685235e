package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * SIGHUP: the running runner re-reads its config file and environment file, applies what can change live, names
 * what needs a restart, and keeps its settings when the file no longer resolves.
 */
class ReloadIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    FakeOrchestrator orchestrator;
    String name;
    Path config;
    Path environment;

    @BeforeEach
    void start() throws Exception {
        Podman.ensureTestImage();
        orchestrator = FakeBackedRunner.fake().build().start();
        name = "reload-" + System.nanoTime();
        config = Files.writeString(work.resolve("runner.conf"), "max-concurrent-tasks = 1\npoll-interval = 1\n");
        environment = Files.writeString(work.resolve("runner.env"), environmentFile(name));
    }

    @AfterEach
    void stop() {
        Podman.removeLabelled(FakeBackedRunner.containerLabel(name));
        orchestrator.close();
    }

    @Test
    void aReloadAppliesLiveOptionsNamesTheRestAndKeepsSettingsThatDoNotResolve() throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(work, List.of("--orchestrator-url", orchestrator.url(),
                "--container-image", RunnerProcess.TEST_IMAGE, "--victoria-home", work.resolve("home").toString(),
                "--state-dir", work.resolve("state").toString(), "--config", config.toString(),
                "--environment-file", environment.toString()), Map.of())) {
            String first = orchestrator.createTask("sleep=15 exit=0");
            String second = orchestrator.createTask("sleep=1 exit=0");
            orchestrator.awaitState(first, TaskState.RUNNING, WAIT);
            Thread.sleep(2000);
            assertThat(orchestrator.task(second).state()).as("one slot").isEqualTo(TaskState.PENDING);

            Files.writeString(config, "max-concurrent-tasks = 2\npoll-interval = 1\nlog-format = json\n");
            Files.writeString(environment, environmentFile(name + "-renamed"));
            hangUp(runner);
            await().atMost(WAIT).untilAsserted(() -> assertThat(runner.output()).contains(
                    "Reload applied: --max-concurrent-tasks, --log-format; not applied, as they need a restart "
                            + "(running values kept): --name"));
            orchestrator.awaitState(second, TaskState.RUNNING, WAIT);
            assertThat(orchestrator.task(first).state()).as("both at once").isEqualTo(TaskState.RUNNING);
            await().atMost(WAIT).untilAsserted(() -> assertThat(runner.output().lines()
                    .filter(line -> line.startsWith("{") && line.contains("\"message\"")).count())
                    .as("JSON lines after the reload").isPositive());

            Files.writeString(config, "max-concurrent-tasks = lots\n");
            hangUp(runner);
            await().atMost(WAIT).untilAsserted(() -> assertThat(runner.output())
                    .contains("Reload refused, the running settings stay:").contains("--max-concurrent-tasks"));
            assertThat(runner.isAlive()).isTrue();
            String third = orchestrator.createTask("exit=0");
            orchestrator.awaitState(third, TaskState.SUCCESS, WAIT);
            orchestrator.awaitState(first, TaskState.SUCCESS, WAIT);
            assertThat(runner.output()).doesNotContain(FakeBackedRunner.TOKEN);
            assertThat(runner.terminate(WAIT)).isZero();
        }
    }

    @Test
    void aReloadChangesThePollIntervalTheImageAndTheLeaseRenewalOfNewTasks() throws Exception {
        String tag = "localhost/victoria-fake:reload-" + System.nanoTime();
        Podman.run("tag", RunnerProcess.TEST_IMAGE, tag);
        // heartbeats name held tasks and so renew them too; an hour keeps them out of the count
        Files.writeString(config, "poll-interval = 1\nheartbeat-interval = 3600\ncontainer-image = "
                + RunnerProcess.TEST_IMAGE + "\n");
        try (RunnerProcess runner = RunnerProcess.start(work, List.of("--orchestrator-url", orchestrator.url(),
                "--victoria-home", work.resolve("home").toString(), "--state-dir", work.resolve("state").toString(),
                "--config", config.toString(), "--environment-file", environment.toString()), Map.of())) {
            String before = orchestrator.createTask("sleep=4 exit=0");
            orchestrator.awaitState(before, TaskState.SUCCESS, WAIT);
            Thread.sleep(3000);
            long polls = polls(Duration.ofSeconds(3));
            assertThat(polls).as("polling every second").isGreaterThanOrEqualTo(2);

            Files.writeString(config, "poll-interval = 3600\nheartbeat-interval = 3600\nlease-renewal-interval = 1\n"
                    + "container-image = " + tag + "\n");
            hangUp(runner);
            await().atMost(WAIT).untilAsserted(() -> assertThat(runner.output()).contains(
                    "Reload applied: --poll-interval, --lease-renewal-interval, --container-image"));
            Thread.sleep(5000);
            assertThat(polls(Duration.ofSeconds(3))).as("no poll until the next hour").isZero();

            String after = orchestrator.createTask("sleep=6 exit=0");
            Thread.sleep(2000);
            assertThat(orchestrator.task(after).state()).isEqualTo(TaskState.PENDING);
            Files.writeString(config, "poll-interval = 1\nheartbeat-interval = 3600\nlease-renewal-interval = 1\n"
                    + "container-image = " + tag + "\n");
            hangUp(runner);
            orchestrator.awaitState(after, TaskState.RUNNING, WAIT);
            await().atMost(WAIT).untilAsserted(() -> assertThat(Podman.run("ps", "--filter", "label="
                    + FakeBackedRunner.containerLabel(name), "--format", "{{.Image}}")).contains(tag));
            orchestrator.awaitState(after, TaskState.SUCCESS, WAIT);
            // then renewals, every second now, every 45 s before
            assertThat(renewalsAfterItsStart(after)).as("renewed every second").isGreaterThanOrEqualTo(3);
            assertThat(renewalsAfterItsStart(before)).as("45 s, the default, before").isZero();
        } finally {
            Podman.run("rmi", "--force", tag);
        }
    }

    /**
     * Renewals (running reports without a message) after the last report of the container's start: the claim
     * and those reports renew the lease too, and on a slow machine they are seconds apart.
     */
    private long renewalsAfterItsStart(String taskId) {
        TaskSnapshot task = orchestrator.task(taskId);
        Instant started = task.history().stream().filter(change -> change.state() == TaskState.RUNNING && change.message() != null)
                .map(TaskSnapshot.StatusChange::at).max(Instant::compareTo).orElseThrow();
        return task.leaseRenewals().stream().filter(at -> at.isAfter(started)).count();
    }

    @Test
    void aReloadDuringStartUpWaitsUntilTheRunnerHasStarted() throws Exception {
        orchestrator.hangUntilReleased();
        try (RunnerProcess runner = RunnerProcess.start(work, List.of("--orchestrator-url", orchestrator.url(),
                "--container-image", RunnerProcess.TEST_IMAGE, "--victoria-home", work.resolve("home").toString(),
                "--state-dir", work.resolve("state").toString(), "--config", config.toString(),
                "--environment-file", environment.toString()), Map.of())) {
            await().atMost(WAIT).until(() -> !orchestrator.hungRequests().isEmpty());
            Files.writeString(config, "max-concurrent-tasks = 2\npoll-interval = 1\n");
            hangUp(runner);
            await().atMost(WAIT).untilAsserted(() -> assertThat(runner.output())
                    .contains("Reload asked for during start-up: it is applied once the runner has started"));
            assertThat(runner.output()).doesNotContain("Reload applied");
            orchestrator.release();
            await().atMost(WAIT).untilAsserted(() -> assertThat(runner.output()).contains("Reload applied: --max-concurrent-tasks"));
            String first = orchestrator.createTask("sleep=4 exit=0");
            String second = orchestrator.createTask("sleep=4 exit=0");
            orchestrator.awaitState(first, TaskState.RUNNING, WAIT);
            orchestrator.awaitState(second, TaskState.RUNNING, WAIT);
            assertThat(orchestrator.task(first).state()).as("two slots").isEqualTo(TaskState.RUNNING);
        }
    }

    /** GET /tasks/pending the fake served in the last {@code window}. */
    private long polls(Duration window) {
        Instant since = Instant.now().minus(window);
        return orchestrator.requests().stream()
                .filter(r -> r.path().endsWith("/tasks/pending") && r.at().isAfter(since)).count();
    }

    private static String environmentFile(String runnerName) {
        return "VICTORIA_RUNNER_REGISTRATION_TOKEN=" + FakeBackedRunner.TOKEN + "\nVICTORIA_RUNNER_NAME=" + runnerName + "\n";
    }

    private static void hangUp(RunnerProcess runner) throws Exception {
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(runner.pid())).inheritIO().start().waitFor()).isZero();
    }
}
