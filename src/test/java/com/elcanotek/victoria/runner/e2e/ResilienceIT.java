package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.elcanotek.victoria.runner.logs.CrushDbFixture;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * Cancellation and orchestrator outages, with the packaged runner, the fake orchestrator and podman. Quarkus
 * launches the runner (the jar, or the native executable after {@code -Dnative}), once for both: an outage stops
 * and restarts the orchestrator, never the runner.
 */
@QuarkusIntegrationTest
@Tag("quarkus-integration-test")
@WithTestResource(value = FakeOrchestratorResource.class, initArgs = {
        @ResourceArg(name = "--heartbeat-interval", value = "2"),
        @ResourceArg(name = "--lease-renewal-interval", value = "2"),
        @ResourceArg(name = "--connect-timeout", value = "1") })
class ResilienceIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    FakeOrchestrator orchestrator;
    LaunchedRunner runner;

    @BeforeEach
    void registered() {
        runner.awaitRegistered(orchestrator, Duration.ofSeconds(30));
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
        CrushDbFixture db = CrushDbFixture.forAgent(runner.home(), "outage", CrushDbFixture.Schema.CURRENT);
        long now = System.currentTimeMillis() / 1000;
        db.session("s-outage", null, now, now + 1).message("m1", "s-outage", "assistant", "[\"done\"]", now);
        String id = orchestrator.createTask("sleep=3 exit=0 " + db.sessionFrom());
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
