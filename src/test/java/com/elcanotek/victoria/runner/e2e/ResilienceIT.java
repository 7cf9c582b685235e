package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.elcanotek.victoria.runner.logs.CrushDbFixture;

/** Cancellation and orchestrator outages, with the packaged runner, the fake orchestrator and podman. */
class ResilienceIT {

    static final String TOKEN = "reg-token-resilience";
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    FakeOrchestrator orchestrator;
    RunnerProcess runner;
    String name;

    @BeforeEach
    void start() throws Exception {
        Podman.ensureTestImage();
        orchestrator = FakeOrchestrator.builder().registrationToken(TOKEN).build().start();
        name = "resilience-" + System.nanoTime();
        runner = RunnerProcess.start(work, FakeBackedRunner.arguments(orchestrator, work, name,
                Map.of("--heartbeat-interval", "2", "--lease-renewal-interval", "2", "--connect-timeout", "1")),
                Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", TOKEN));
    }

    @AfterEach
    void stop() throws Exception {
        runner.close();
        Podman.removeLabelled("victoria-runner.runner=" + name);
        orchestrator.close();
    }

    @Test
    void cancelledTaskHasItsContainerStoppedWithinTheRenewalPeriodAndNothingMoreReported() throws Exception {
        String id = orchestrator.createTask("sleep=120");
        orchestrator.awaitState(id, TaskState.RUNNING, WAIT);
        awaitContainerRunning(id);
        Instant cancelledAt = Instant.now();

        orchestrator.cancel(id);

        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> Podman.containersLabelled("victoria-runner.task=" + id).isEmpty());
        assertThat(Duration.between(cancelledAt, Instant.now())).isLessThan(Duration.ofSeconds(15));
        Thread.sleep(3000);
        TaskSnapshot task = orchestrator.task(id);
        assertThat(task.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(task.history()).noneMatch(c -> c.state() == TaskState.SUCCESS || c.state() == TaskState.ERROR);
    }

    @Test
    void resultOfATaskThatEndedDuringAnOutageArrivesOnceTheOrchestratorIsBack() throws Exception {
        CrushDbFixture db = CrushDbFixture.create(work.resolve("home"), CrushDbFixture.Schema.CURRENT);
        long now = System.currentTimeMillis() / 1000;
        db.session("s-outage", null, now, now + 1).message("m1", "s-outage", "assistant", "[\"done\"]", now);
        String id = orchestrator.createTask("sleep=3 exit=0");
        orchestrator.awaitState(id, TaskState.RUNNING, WAIT);

        orchestrator.stop();
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> Podman
                .run("ps", "-a", "--filter", "label=victoria-runner.task=" + id, "--format", "{{.State}}")
                .strip().toLowerCase().startsWith("exited"));
        Thread.sleep(5000);
        orchestrator.restart();

        TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
        assertThat(done.logSubmissions()).isEqualTo(1);
        assertThat(done.latestSession().path("id").asText()).isEqualTo("s-outage");
        assertThat(done.history()).filteredOn(c -> c.state() == TaskState.SUCCESS).hasSize(1);
    }

    private static void awaitContainerRunning(String taskId) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> Podman
                .run("ps", "--filter", "label=victoria-runner.task=" + taskId, "--format", "{{.State}}")
                .strip().toLowerCase().startsWith("up"));
    }
}
