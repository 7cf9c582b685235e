package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * Outages longer than a lease, with a fake whose leases last seconds: when the orchestrator is back, the tasks it
 * re-queued meanwhile are pending again, and the runner may well claim its own task back.
 */
class LongOutageIT {

    static final Duration LEASE = Duration.ofSeconds(6);
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    /**
     * The renewal's 403 comes first (the polls after the outage are refused for a few seconds), so the run is
     * stopping its container, which ignores SIGTERM for the whole stop grace, when the poll claims the same task
     * again: that claim must run the task, once the stopping run has ended, instead of sitting on it until its
     * lease expires once more.
     */
    @Test
    void aTaskClaimedBackWhileItsLostRunStopsIsRunAgainAtOnce() throws Exception {
        String name = "reclaim-" + ProcessHandle.current().pid();
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().leaseDuration(LEASE)
                .sweepInterval(Duration.ofMillis(500)).build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work.resolve(name), name,
                        Map.of("--max-concurrent-tasks", "2", "--lease-renewal-interval", "2", "--heartbeat-interval", "30",
                                "--connect-timeout", "1", "--read-timeout", "5"),
                        Map.of())) {
            String id = orchestrator.createTask("sleep=20 ignore-term exit=0");
            orchestrator.awaitState(id, TaskState.RUNNING, WAIT);
            awaitRunning(runner);

            orchestrator.stop();
            Thread.sleep(LEASE.plusSeconds(3).toMillis());
            // Whatever comes first after the restart must not renew the lease before the first sweep takes it away.
            orchestrator.failNext("POST", "/status", 503, "Service Unavailable", 1);
            orchestrator.failNext("POST", "/nodes/heartbeat", 503, "Service Unavailable", 1);
            orchestrator.failNext("GET", "/tasks/pending", 503, "Service Unavailable", 6);
            orchestrator.restart();

            TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
            assertThat(runner.output()).contains("claimed again while its earlier run, which had lost it, is stopping");
            assertThat(done.claims()).as("claims; history: %s", done.history()).isEqualTo(2);
            assertThat(done.history()).filteredOn(change -> change.state() == TaskState.SUCCESS).hasSize(1);
        }
    }

    /**
     * The task ends during an outage longer than the runner's idea of the lease (shortened here to seconds, against a
     * fake whose lease lasts minutes): nothing but the orchestrator can say that the lease is gone, and one that was
     * down re-queues only at its first sweep after it is back, so the results tried at once are taken.
     */
    @Test
    void resultsOfATaskThatEndedDuringAnOutageLongerThanTheLeaseAreTriedWhenTheOrchestratorIsBack() throws Exception {
        String name = "long-outage-" + ProcessHandle.current().pid();
        Duration hold = Duration.ofSeconds(8);
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(Launcher.standard().withProperty("runner.lease-hold", hold.toSeconds() + "s"),
                        orchestrator, work.resolve(name), name,
                        Map.of("--lease-renewal-interval", "2", "--heartbeat-interval", "2", "--connect-timeout", "1",
                                "--read-timeout", "5"),
                        Map.of())) {
            String id = orchestrator.createTask("sleep=3 exit=0");
            orchestrator.awaitState(id, TaskState.RUNNING, WAIT);

            orchestrator.stop();
            Instant began = Instant.now();
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> Podman
                    .run("ps", "-a", "--filter", "label=victoria-runner.task=" + id, "--format", "{{.State}}")
                    .strip().toLowerCase().startsWith("exited"));
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), began.plus(hold.multipliedBy(2))).toMillis()));
            Instant ended = Instant.now();
            orchestrator.restart();

            TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, Duration.ofSeconds(20));
            assertThat(done.logSubmissions()).isEqualTo(1);
            assertThat(done.logsAcceptedAt()).isAfter(ended).isBefore(done.firstAt(TaskState.SUCCESS));
            assertThat(done.history()).filteredOn(change -> change.state() == TaskState.SUCCESS).hasSize(1);
            assertThat(done.claims()).isEqualTo(1);
        }
    }

    private static void awaitRunning(FakeBackedRunner runner) {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> !runner.runningContainers().isEmpty());
    }
}
