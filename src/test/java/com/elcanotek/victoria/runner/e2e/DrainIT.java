package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskState;

/** {@code drain} and {@code resume}, talking to the running daemon through its state dir. */
class DrainIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    FakeOrchestrator orchestrator;
    String name;

    @BeforeEach
    void start() {
        Podman.ensureTestImage();
        orchestrator = FakeBackedRunner.fake().build().start();
        name = "drain-" + System.nanoTime();
    }

    @AfterEach
    void stop() {
        Podman.removeLabelled(FakeBackedRunner.containerLabel(name));
        orchestrator.close();
    }

    @Test
    void aDrainedRunnerFinishesWhatItHoldsAndClaimsNothingNewAlsoAfterARestartUntilResumed() throws Exception {
        String held = orchestrator.createTask("sleep=4 exit=0");
        String waiting;
        try (RunnerProcess runner = runner()) {
            orchestrator.awaitState(held, TaskState.RUNNING, WAIT);

            try (RunnerProcess drain = command("drain", "--wait")) {
                // Once the flag is there: the drain command's start may outlast the held task on a loaded host.
                Awaitility.await().atMost(WAIT).until(() -> drain.output().contains("Draining: the runner claims no new task"));
                waiting = orchestrator.createTask("exit=0");
                assertThat(drain.waitFor(WAIT)).isZero();
                assertThat(drain.output()).contains("Draining: the runner claims no new task").contains("No task is held");
            }
            assertThat(orchestrator.task(held).state()).isEqualTo(TaskState.SUCCESS);
            Thread.sleep(3000);
            assertThat(orchestrator.task(waiting).state()).isEqualTo(TaskState.PENDING);
            try (RunnerProcess status = command("status")) {
                assertThat(status.waitFor(WAIT)).isZero();
                assertThat(status.output()).contains("Claiming:         draining since");
            }
            runner.kill();
        }

        try (RunnerProcess restarted = runner()) {
            // Said once the restarted runner polls, which a loaded host may take seconds to reach; then some polls.
            Awaitility.await().atMost(WAIT).until(() -> restarted.output().contains("Draining since"));
            Thread.sleep(3000);
            assertThat(orchestrator.task(waiting).state()).as("still drained after the restart").isEqualTo(TaskState.PENDING);

            try (RunnerProcess resume = command("resume")) {
                assertThat(resume.waitFor(WAIT)).isZero();
                assertThat(resume.output()).contains("Resumed: the runner claims tasks again.");
            }
            orchestrator.awaitState(waiting, TaskState.SUCCESS, WAIT);
        }
    }

    private RunnerProcess runner() throws Exception {
        return RunnerProcess.start(work, FakeBackedRunner.arguments(orchestrator, work, name, Map.of()),
                Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", FakeBackedRunner.TOKEN));
    }

    private RunnerProcess command(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("--state-dir", work.resolve("state").toString()));
        command.addAll(List.of(args));
        return RunnerProcess.start(work, command, Map.of());
    }
}
