package com.elcanotek.victoria.runner.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.container.ContainerPolicy;
import com.elcanotek.victoria.runner.driver.Exit;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.RequestRecord;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.elcanotek.victoria.runner.logs.CrushDbFixture;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.state.StateFiles;
import com.elcanotek.victoria.runner.task.JournalEntry.Stage;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/**
 * One task's life, against the stateful fake orchestrator and a driver in memory: the invariant that every claimed
 * task reaches a final status within its bounds (or is given back by lease expiry), and the races around a lost run,
 * the final status and the clock. No podman: each test takes seconds.
 */
@QuarkusTest
class TaskRunTest {

    @Inject
    ObjectMapper json;

    @TempDir
    Path dir;

    private TaskHarness harness;

    private TaskHarness harness() {
        return harness(FakeOrchestrator.builder());
    }

    private TaskHarness harness(FakeOrchestrator.Builder fake) {
        harness = new TaskHarness(dir, json, fake);
        return harness;
    }

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    private TaskRun started(TaskHarness h, TaskServices services, TaskAssignment task) {
        TaskRun run = TaskRun.claimed(services, task);
        run.journalClaim();
        h.execute(run);
        await().atMost(TaskHarness.WAIT).until(() -> h.driver.launches.size() > 0
                && h.journal.entry(task.taskId()).map(e -> e.stage() == Stage.CONTAINER_STARTED).orElse(false));
        return run;
    }

    private void session(TaskHarness h, String taskId) throws Exception {
        CrushDbFixture.create(h.layout.taskFolder(taskId), CrushDbFixture.Schema.CURRENT)
                .session("s1", null, 1_700_000_000L, 1_700_000_100L)
                .message("m1", "s1", "user", "[{\"type\":\"text\",\"data\":{\"text\":\"hello\"}}]", 1_700_000_000L);
    }

    @Test
    void aTaskRunsToSuccessWithItsLogBeforeItsFinalStatusAndLeavesNothingBehind() throws Exception {
        TaskHarness h = harness();
        TaskAssignment task = h.claim("exit=0");
        session(h, task.taskId());
        started(h, h.services(), task);
        String handle = h.driver.handleOf(task.taskId());

        h.driver.exit(handle, 0);

        TaskSnapshot done = h.fake.awaitState(task.taskId(), TaskState.SUCCESS, TaskHarness.WAIT);
        assertThat(done.logSubmissions()).isEqualTo(1);
        assertThat(done.result()).isEqualTo("completed");
        await().atMost(TaskHarness.WAIT).until(() -> !h.journal.holds(task.taskId()));
        assertThat(h.driver.removals).containsExactly(handle);
    }

    @Test
    void aLogTheOrchestratorKeepsRefusingIsGivenUpAfterTheDeliveryBudgetAndTheFinalStatusSaysWhy() throws Exception {
        TaskHarness h = harness();
        TaskAssignment task = h.claim("exit=0");
        session(h, task.taskId());
        started(h, h.services(), task);
        // A load balancer answering 502 to every large body, for ever.
        h.fake.failNext("POST", "/logs", 502, "Bad Gateway", 100_000);

        h.driver.exit(h.driver.handleOf(task.taskId()), 0);

        TaskSnapshot done = h.fake.awaitState(task.taskId(), TaskState.SUCCESS, TaskHarness.WAIT);
        assertThat(done.result()).startsWith("completed (session log not submitted: not taken within the delivery budget of 2 s")
                .contains("502");
        // Refused before its body is read, a submission names no task: all of them were this task's.
        assertThat(h.fake.requests()).filteredOn(r -> r.path().equals("/logs")).hasSizeGreaterThan(1);
    }

    @Test
    void aForbiddenFromSomethingInBetweenIsADeliveryFailureNotACancellation() throws Exception {
        TaskHarness h = harness();
        TaskAssignment task = h.claim("exit=0");
        session(h, task.taskId());
        started(h, h.services(), task);
        h.fake.failNextInBetween("POST", "/logs", 403, "Request blocked by the web application firewall", 100_000);

        h.driver.exit(h.driver.handleOf(task.taskId()), 0);

        TaskSnapshot done = h.fake.awaitState(task.taskId(), TaskState.SUCCESS, TaskHarness.WAIT);
        assertThat(done.result()).contains("session log not submitted", "Request blocked by the web application firewall",
                "not the orchestrator's own answer");
        assertThat(h.driver.stops).as("no container stopped: nothing was cancelled").isEmpty();
    }

    @Test
    void theOrchestratorsOwnForbiddenIsACancellation() throws Exception {
        TaskHarness h = harness();
        TaskAssignment task = h.claim("sleep=60");
        started(h, h.services(), task);
        String handle = h.driver.handleOf(task.taskId());

        h.fake.cancel(task.taskId());

        await().atMost(TaskHarness.WAIT).until(() -> h.driver.stops.contains(handle));
        await().atMost(TaskHarness.WAIT).until(() -> !h.journal.holds(task.taskId()));
        assertThat(h.statuses(task.taskId())).doesNotContain("success", "error");
    }

    @Test
    void anUnforeseenErrorInAStartIsTheTasksFailureNotASilentEnd() throws Exception {
        TaskHarness h = harness();
        h.driver.startFails = () -> new IllegalStateException("a bug nobody foresaw");
        TaskAssignment task = h.claim("exit=0");
        TaskRun run = TaskRun.claimed(h.services(), task);
        run.journalClaim();
        h.execute(run);

        TaskSnapshot done = h.fake.awaitState(task.taskId(), TaskState.ERROR, TaskHarness.WAIT);
        assertThat(done.result()).isEqualTo("the runner failed unexpectedly: IllegalStateException: a bug nobody foresaw");
        await().atMost(TaskHarness.WAIT).until(() -> !h.journal.holds(task.taskId()));
    }

    @Test
    void aTaskWhoseRunsKeepDyingIsGivenUpWithTheLastCauseAndNothingMoreIsTried() throws Exception {
        TaskHarness h = harness();
        TaskAssignment task = h.claim("exit=0");
        // What three runs that each died (the JVM killed mid-start, say) leave in the journal.
        JournalEntry dying = JournalEntry.claimed(task, Instant.now()).attempted().attempted().attempted()
                .failedWith("OutOfMemoryError: Java heap space");
        h.journal.write(dying);

        h.execute(TaskRun.resumed(h.services(), dying));

        TaskSnapshot done = h.fake.awaitState(task.taskId(), TaskState.ERROR, TaskHarness.WAIT);
        assertThat(done.result()).isEqualTo("given up after 3 runs ended unexpectedly; last: OutOfMemoryError: Java heap space");
        assertThat(h.driver.launches).isEmpty();
    }

    @Test
    void waitingForARunningAgentIsNoAttemptSoRestartsDuringItCostTheTaskNothing() throws Exception {
        TaskHarness h = harness();
        TaskAssignment task = h.claim("sleep=60");
        TaskRun run = TaskRun.claimed(h.services(), task);
        run.journalClaim();
        // Restarted more often than the attempts allow, while the agent works: each stop leaves the agent running.
        for (int restart = 0; restart <= h.maxAttempts + 1; restart++) {
            Thread worker = new Thread(run::run);
            worker.start();
            await().atMost(TaskHarness.WAIT).until(() -> h.journal.entry(task.taskId())
                    .map(e -> e.stage() == Stage.CONTAINER_STARTED && e.attempts() == 0).orElse(false));
            run.abandon();
            worker.join(TaskHarness.WAIT.toMillis());
            run = TaskRun.resumed(h.services(), h.journal.entry(task.taskId()).orElseThrow());
        }
        assertThat(h.driver.launches).hasSize(1);
        assertThat(h.driver.stops).isEmpty();
        assertThat(h.fake.task(task.taskId()).state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void noLeaseRenewalReachesTheServerAfterTheFinalStatusHasStarted() throws Exception {
        TaskHarness h = harness();
        h.leaseRenewal = Duration.ofMillis(20);
        TaskAssignment task = h.claim("exit=0");
        started(h, h.services(), task);
        // Each renewal answered slowly: one is in flight whenever the final status starts.
        h.fake.delayEvery(1, Duration.ofMillis(30));

        h.driver.exit(h.driver.handleOf(task.taskId()), 0);

        h.fake.awaitState(task.taskId(), TaskState.SUCCESS, TaskHarness.WAIT);
        h.fake.delayEvery(0, null);
        Thread.sleep(300);
        List<String> statuses = h.statuses(task.taskId());
        assertThat(statuses.subList(statuses.indexOf("success"), statuses.size())).containsOnly("success");
    }

    @Test
    void theHeartbeatNamesTheTaskWhileItsFinalStatusIsRetried() throws Exception {
        TaskHarness h = harness();
        TaskAssignment task = h.claim("exit=0");
        TaskRuns runs = new TaskRuns();
        TaskRun run = TaskRun.claimed(h.services(), task);
        runs.add(run);
        run.journalClaim();
        h.execute(run);
        await().atMost(TaskHarness.WAIT).until(() -> h.driver.launches.size() == 1);
        await().atMost(TaskHarness.WAIT).until(() -> h.statuses(task.taskId()).contains("running"));
        h.fake.failNext("POST", "/status", 503, "Service Unavailable", 100_000);

        h.driver.exit(h.driver.handleOf(task.taskId()), 0);

        await().atMost(TaskHarness.WAIT).until(() -> h.journal.entry(task.taskId()).map(JournalEntry::stage)
                .orElse(null) == Stage.LOGS_SENT);
        Thread.sleep(500);
        assertThat(runs.heartbeatTask()).contains(task.taskId());
    }

    @Test
    void aClaimThatComesWhileTheLosingRunStopsIsJournaledAtOnceAndARestartStartsItAnew() throws Exception {
        TaskHarness h = harness();
        // The agent ignores the stop: the losing run is still stopping it when the task comes back.
        h.driver.ignoresStops = true;
        TaskAssignment task = h.claim("sleep=60");
        TaskServices services = h.services();
        TaskRun losing = started(h, services, task);
        String lostContainer = h.driver.handleOf(task.taskId());
        losing.lose();
        await().atMost(TaskHarness.WAIT).until(() -> h.driver.stops.contains(lostContainer));

        TaskRun claim = TaskRun.claimed(services, task);
        assertThat(losing.claimedAgain(claim)).isFalse();

        JournalEntry journaled = h.journal.entry(task.taskId()).orElseThrow();
        assertThat(journaled.stage()).isEqualTo(Stage.CLAIMED);
        assertThat(journaled.previousContainer()).isEqualTo(lostContainer);

        // kill -9 here: the next runner has only the journal. It neither adopts the lost run's container nor reports
        // that container's end as this claim's.
        TaskRun afterRestart = TaskRun.resumed(h.services(), journaled);
        h.execute(afterRestart);
        await().atMost(TaskHarness.WAIT).until(() -> h.driver.launches.size() == 2);
        String successor = h.driver.handleOf(task.taskId());
        assertThat(successor).isNotEqualTo(lostContainer);
        assertThat(h.driver.exists(lostContainer)).isFalse();
        assertThat(h.driver.stops).as("only the lost run's container was ever stopped").containsOnly(lostContainer);
        h.driver.exit(successor, 0);
        h.fake.awaitState(task.taskId(), TaskState.SUCCESS, TaskHarness.WAIT);
    }

    @Test
    void aShutdownThatStopsContainersReportsOneThatHadAlreadyEndedWellAsASuccess() throws Exception {
        TaskHarness h = harness();
        h.driver.ignoresStops = true;
        TaskAssignment task = h.claim("exit=0");
        TaskRun run = started(h, h.services(), task);
        Instant endedBefore = Instant.now().minusSeconds(2);

        run.stopForShutdown("runner shut down");
        h.driver.exit(h.driver.handleOf(task.taskId()), new Exit(0, endedBefore, null));

        TaskSnapshot done = h.fake.awaitState(task.taskId(), TaskState.SUCCESS, TaskHarness.WAIT);
        assertThat(done.result()).isEqualTo("completed");
    }

    @Test
    void aShutdownThatStopsContainersReportsOneStillRunningAsAnError() throws Exception {
        TaskHarness h = harness();
        TaskAssignment task = h.claim("sleep=60");
        TaskRun run = started(h, h.services(), task);

        run.stopForShutdown("runner shut down");

        TaskSnapshot done = h.fake.awaitState(task.taskId(), TaskState.ERROR, TaskHarness.WAIT);
        assertThat(done.result()).isEqualTo("runner shut down");
    }

    @Test
    void aWallClockSetAnHourAheadChangesNoLeaseDecision() throws Exception {
        TaskHarness h = harness();
        TaskAssignment task = h.claim("exit=0");
        started(h, h.services(), task);
        await().atMost(TaskHarness.WAIT).until(() -> h.statuses(task.taskId()).contains("running"));

        h.clock.shift = Duration.ofHours(1);
        h.fake.failNext("POST", "/status", 503, "Service Unavailable", 20);
        h.driver.exit(h.driver.handleOf(task.taskId()), 0);

        TaskSnapshot done = h.fake.awaitState(task.taskId(), TaskState.SUCCESS, TaskHarness.WAIT);
        assertThat(done.result()).isEqualTo("completed");
    }

    @Test
    void aDownloadThatOutlastsTheStartBudgetFailsTheTask() throws Exception {
        TaskHarness h = harness();
        h.startBudget = Duration.ofSeconds(1);
        String id = h.fake.createTask(TaskSpec.builder("exit=0")
                .file("big.bin", "x".repeat(200_000).getBytes(StandardCharsets.UTF_8)).stall("big.bin", Duration.ofSeconds(2))
                .build());
        TaskAssignment task = h.orchestrator.claimNextTask().orElseThrow();
        assertThat(task.taskId()).isEqualTo(id);
        TaskRun run = TaskRun.claimed(h.services(), task);
        run.journalClaim();
        h.execute(run);

        TaskSnapshot done = h.fake.awaitState(id, TaskState.ERROR, TaskHarness.WAIT);
        assertThat(done.result()).startsWith("file 'big.bin' not downloaded within the task's start budget");
        assertThat(h.driver.launches).isEmpty();
    }

    @Test
    void aContainerThatNeverEndsIsReportedAtItsBoundRatherThanHeldForEver() throws Exception {
        TaskHarness h = harness();
        h.driver.ignoresStops = true;
        String id = h.fake.createTask(TaskSpec.builder("sleep=600").timeoutSeconds(1).build());
        TaskAssignment task = h.orchestrator.claimNextTask().orElseThrow();
        started(h, h.services(), task);

        TaskSnapshot done = h.fake.awaitState(id, TaskState.ERROR, TaskHarness.WAIT);
        assertThat(done.result()).isEqualTo("the container did not end within 1 s of its deadline (1 s)");
        assertThat(h.driver.stops).isNotEmpty();
    }

    @Test
    void aRestartWithTheEngineGoneFailsATaskPastItsBoundInsteadOfHoldingIt() throws Exception {
        TaskHarness h = harness();
        String id = h.fake.createTask(TaskSpec.builder("sleep=600").timeoutSeconds(1).build());
        TaskAssignment task = h.orchestrator.claimNextTask().orElseThrow();
        Instant longAgo = Instant.now().minusSeconds(30);
        JournalEntry held = JournalEntry.claimed(task, longAgo).started("c-before-the-restart", longAgo)
                .leaseConfirmed(Instant.now());
        h.journal.write(held);
        h.driver.unavailable = true;

        h.execute(TaskRun.resumed(h.services(), held));

        TaskSnapshot done = h.fake.awaitState(id, TaskState.ERROR, TaskHarness.WAIT);
        assertThat(done.result()).startsWith("cannot look for the container, and its time is up: Cannot connect to the engine");
    }

    /** The first heartbeat after a restart comes right after the reconcile: it must name what really runs. */
    @Test
    void aRunTakenUpFromTheJournalIsNamedInTheHeartbeatBeforeItsThreadBegins() throws Exception {
        TaskHarness h = harness();
        TaskAssignment task = h.claim("sleep=60");
        Instant started = Instant.now().minusSeconds(5);
        TaskRuns runs = new TaskRuns();

        runs.add(TaskRun.resumed(h.services(), JournalEntry.claimed(task, started).started("c-running", started)));

        assertThat(runs.heartbeatTask()).contains(task.taskId());
    }

    @Test
    void theHeartbeatNamesTheLongestHeldTaskAndNoneWhenIdle() throws Exception {
        TaskHarness h = harness();
        TaskRuns runs = new TaskRuns();
        assertThat(runs.heartbeatTask()).isEmpty();
        TaskAssignment first = h.claim("sleep=60");
        TaskAssignment second = h.claim("sleep=60");
        TaskServices services = h.services();
        TaskRun older = TaskRun.claimed(services, first);
        h.clock.shift = Duration.ofSeconds(1);
        TaskRun newer = TaskRun.claimed(services, second);
        runs.add(newer);
        runs.add(older);
        older.journalClaim();
        newer.journalClaim();
        h.execute(newer);
        h.execute(older);

        await().atMost(TaskHarness.WAIT).until(() -> h.driver.launches.size() == 2);
        assertThat(runs.heartbeatTask()).contains(first.taskId());
    }

    @Test
    void nothingRenewsTheLeaseOfAStartStuckPastItsBudget() throws Exception {
        TaskHarness h = harness();
        h.startBudget = Duration.ofSeconds(1);
        h.leaseRenewal = Duration.ofMillis(100);
        // `run -d` hangs (a registry that stopped answering mid-pull).
        h.driver.startFails = () -> {
            try {
                Thread.sleep(4_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new IllegalStateException("hung");
        };
        TaskAssignment task = h.claim("exit=0");
        TaskRun run = TaskRun.claimed(h.services(), task);
        run.journalClaim();
        h.execute(run);
        await().atMost(TaskHarness.WAIT).until(() -> h.driver.launches.size() == 1);

        Thread.sleep(1_500);
        long renewalsAfterBudget = h.requests("/status", task.taskId()).size();
        Thread.sleep(1_500);
        assertThat(h.requests("/status", task.taskId())).hasSize((int) renewalsAfterBudget);
        assertThat(h.requests("/status", task.taskId())).extracting(RequestRecord::reportedStatus).containsOnly("running");
    }

    private static final ContainerPolicy TWO_GPUS = new ContainerPolicy(null, null, 0, null, true, true, List.of(),
            List.of("vendor.example/gpu=a", "vendor.example/gpu=b"), null, 1, null);

    private static String handleOfLaunch(TaskHarness h, TaskAssignment task) {
        return h.driver.handleOf(task.taskId());
    }

    private static List<String> devicesOf(TaskHarness h, TaskAssignment task) {
        return h.driver.launches.stream().filter(launch -> launch.task().taskId().equals(task.taskId()))
                .reduce((first, second) -> second).orElseThrow().devices();
    }

    /** With a device of its own per task, two tasks at once get different ones; a third waits for one to come back. */
    @Test
    void tasksAtOnceGetDevicesOfTheirOwnAndOneMoreWaitsUntilOneIsGivenBack() throws Exception {
        TaskHarness h = harness();
        h.devices = new DevicePool(TWO_GPUS);
        TaskServices services = h.services();
        TaskAssignment first = h.claim("sleep=60");
        TaskAssignment second = h.claim("sleep=60");
        TaskAssignment third = h.claim("sleep=60");
        started(h, services, first);
        started(h, services, second);

        assertThat(devicesOf(h, first)).containsExactly("vendor.example/gpu=a");
        assertThat(devicesOf(h, second)).containsExactly("vendor.example/gpu=b");
        assertThat(h.journal.entry(first.taskId()).orElseThrow().devices()).containsExactly("vendor.example/gpu=a");

        TaskRun waiting = TaskRun.claimed(services, third);
        waiting.journalClaim();
        h.execute(waiting);
        Thread.sleep(1_000);
        assertThat(h.driver.launches).hasSize(2);

        h.driver.exit(handleOfLaunch(h, first), 0);
        await().atMost(TaskHarness.WAIT).until(() -> h.driver.launches.size() == 3);
        assertThat(devicesOf(h, third)).containsExactly("vendor.example/gpu=a");
    }

    /**
     * The devices are journaled before the container starts: a runner restarted while it runs takes them back for it
     * before any new task could be given them, and a new task gets the other one.
     */
    @Test
    void aTaskTakenUpAfterARestartKeepsItsDevicesAndNoNewTaskIsGivenThem() throws Exception {
        TaskHarness h = harness();
        h.devices = new DevicePool(TWO_GPUS);
        TaskAssignment held = h.claim("sleep=60");
        TaskRun before = started(h, h.services(), held);
        String container = handleOfLaunch(h, held);
        assertThat(devicesOf(h, held)).containsExactly("vendor.example/gpu=a");
        before.abandon();
        await().atMost(TaskHarness.WAIT).until(() -> h.journal.entry(held.taskId()).map(e -> e.attempts() == 0).orElse(false));

        // kill -9 and a new start: a new pool, and the journal as the runner's mapper reads it back from disk
        h.devices = new DevicePool(TWO_GPUS);
        TaskServices services = h.services();
        JournalEntry fromDisk = json.readValue(json.writeValueAsBytes(h.journal.entry(held.taskId()).orElseThrow()),
                JournalEntry.class);
        assertThat(fromDisk.devices()).containsExactly("vendor.example/gpu=a");
        TaskRun afterRestart = TaskRun.resumed(services, fromDisk);
        h.execute(afterRestart);
        TaskAssignment next = h.claim("sleep=60");
        started(h, services, next);

        assertThat(devicesOf(h, next)).containsExactly("vendor.example/gpu=b");
        assertThat(h.driver.launches).hasSize(2);
        h.driver.exit(container, 0);
        h.fake.awaitState(held.taskId(), TaskState.SUCCESS, TaskHarness.WAIT);
        TaskAssignment last = h.claim("sleep=60");
        started(h, services, last);
        assertThat(devicesOf(h, last)).containsExactly("vendor.example/gpu=a");
    }

    @Test
    void aFailedAgentsLastLinesAreInItsErrorAndItsOutputIsKeptMaskedWhereNoContainerSeesIt() throws Exception {
        TaskHarness h = harness();
        String key = "sk-or-v1-planted-0123456789";
        h.masker.add(List.of(key));
        TaskAssignment task = h.claim("exit=3");
        CrushDbFixture.create(h.layout.taskFolder(task.taskId()), CrushDbFixture.Schema.CURRENT)
                .session("s1", null, 1_700_000_000L, 1_700_000_100L)
                .message("m1", "s1", "assistant", "[{\"type\":\"text\",\"data\":{\"text\":\"my key is " + key + "\"}}]",
                        1_700_000_000L);
        started(h, h.services(), task);
        String handle = h.driver.handleOf(task.taskId());
        h.driver.print(handle, "loading\nusing " + key + "\nError: OPENROUTER_API_KEY is not set\n");

        h.driver.exit(handle, 3);

        TaskSnapshot done = h.fake.awaitState(task.taskId(), TaskState.ERROR, TaskHarness.WAIT);
        assertThat(done.result())
                .isEqualTo("container exited with code 3: loading\nusing ***\nError: OPENROUTER_API_KEY is not set");
        assertThat(done.latestSession().toString()).contains("my key is ***").doesNotContain(key);
        await().atMost(TaskHarness.WAIT).until(() -> !h.journal.holds(task.taskId()));
        Path kept = h.layout.taskOutput(task.taskId());
        assertThat(kept).hasContent("loading\nusing ***\nError: OPENROUTER_API_KEY is not set\n");
        assertThat(Files.getPosixFilePermissions(kept)).isEqualTo(StateFiles.OWNER_ONLY_FILE);
        assertThat(Files.getPosixFilePermissions(kept.getParent())).isEqualTo(StateFiles.OWNER_ONLY_DIR);
        assertThat(kept.startsWith(h.layout.victoriaHome())).as("under the state dir, which no container mounts").isFalse();
        assertThat(h.driver.removals).containsExactly(handle);
    }

    @Test
    void aSuccessIsCompletedWithoutItsOutputAndACancelledTaskKeepsItsOutputToo() throws Exception {
        TaskHarness h = harness();
        TaskAssignment succeeding = h.claim("exit=0");
        started(h, h.services(), succeeding);
        String first = h.driver.handleOf(succeeding.taskId());
        h.driver.print(first, "all good\n");
        h.driver.exit(first, 0);
        assertThat(h.fake.awaitState(succeeding.taskId(), TaskState.SUCCESS, TaskHarness.WAIT).result()).isEqualTo("completed");
        await().atMost(TaskHarness.WAIT).until(() -> !h.journal.holds(succeeding.taskId()));
        assertThat(h.layout.taskOutput(succeeding.taskId())).hasContent("all good\n");

        TaskAssignment cancelled = h.claim("sleep=60");
        started(h, h.services(), cancelled);
        h.driver.print(h.driver.handleOf(cancelled.taskId()), "half way\n");
        h.fake.cancel(cancelled.taskId());

        await().atMost(TaskHarness.WAIT).until(() -> !h.journal.holds(cancelled.taskId()));
        assertThat(h.layout.taskOutput(cancelled.taskId())).hasContent("half way\n");
    }

    @Test
    void aFailureQuotingWhatTheOrchestratorSentHasTheSecretsMaskedAtTheDoor() throws Exception {
        TaskHarness h = harness();
        String key = "sk-or-v1-in-a-file-name-0123";
        h.masker.add(List.of(key));
        h.fake.createTask(TaskSpec.builder("exit=0").file(key + ".csv", "the real bytes".getBytes(StandardCharsets.UTF_8))
                .servedBytes(key + ".csv", "tampered bytes".getBytes(StandardCharsets.UTF_8)).build());
        TaskAssignment task = h.orchestrator.claimNextTask().orElseThrow();

        h.execute(TaskRun.claimed(h.services(), task));

        TaskSnapshot failed = h.fake.awaitState(task.taskId(), TaskState.ERROR, TaskHarness.WAIT);
        assertThat(failed.result()).startsWith("file '***.csv' checksum mismatch");
        assertThat(h.driver.launches).isEmpty();
    }
}
