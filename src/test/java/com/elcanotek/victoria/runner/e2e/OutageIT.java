package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * An outage of two minutes covering a task's end, once with connections refused and once with requests that
 * hang: afterwards the session log and then the final status arrive, exactly once each. Both outages run at
 * the same time, each against a fake and a runner of its own, so that the suite waits two minutes, not four.
 */
class OutageIT {

    static final Duration OUTAGE = Duration.ofMinutes(2);
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    enum Outage {
        REFUSED {
            @Override
            void begin(FakeOrchestrator orchestrator) {
                orchestrator.stop();
            }

            @Override
            void end(FakeOrchestrator orchestrator) {
                orchestrator.restart();
            }
        },
        HANGING {
            @Override
            void begin(FakeOrchestrator orchestrator) {
                orchestrator.hangUntilReleased();
            }

            @Override
            void end(FakeOrchestrator orchestrator) {
                orchestrator.release();
            }
        };

        abstract void begin(FakeOrchestrator orchestrator);

        abstract void end(FakeOrchestrator orchestrator);
    }

    @Test
    void theLogAndThenTheFinalStatusArriveOnceEachAfterAnOutageCoveringTheTasksEnd() {
        CompletableFuture<Void> refused = CompletableFuture.runAsync(() -> survives(Outage.REFUSED));
        CompletableFuture<Void> hanging = CompletableFuture.runAsync(() -> survives(Outage.HANGING));

        CompletableFuture.allOf(refused, hanging).join();
    }

    private void survives(Outage outage) {
        String name = "outage-" + outage.name().toLowerCase() + "-" + ProcessHandle.current().pid();
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work.resolve(name), name,
                        Map.of("--connect-timeout", "1", "--read-timeout", "5", "--heartbeat-interval", "5",
                                "--lease-renewal-interval", "10"),
                        Map.of())) {
            String id = orchestrator.createTask("sleep=5 exit=0");
            orchestrator.awaitState(id, TaskState.RUNNING, WAIT);

            Instant began = Instant.now();
            outage.begin(orchestrator);
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> Podman
                    .run("ps", "-a", "--filter", "label=victoria-runner.task=" + id, "--format", "{{.State}}")
                    .strip().toLowerCase().startsWith("exited"));
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), began.plus(OUTAGE)).toMillis()));
            Instant ended = Instant.now();
            outage.end(orchestrator);

            TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
            System.out.printf("OutageIT %s: log taken %.1f s and final status %.1f s after the outage ended%n", outage,
                    Duration.between(ended, done.logsAcceptedAt()).toMillis() / 1000.0,
                    Duration.between(ended, done.firstAt(TaskState.SUCCESS)).toMillis() / 1000.0);
            assertThat(done.logSubmissions()).as(outage + ": logs taken").isEqualTo(1);
            assertThat(done.latestSession().path("id").asText()).isEqualTo("session-" + id);
            assertThat(done.logsAcceptedAt()).isAfter(ended).isBefore(done.firstAt(TaskState.SUCCESS));
            assertThat(done.history()).filteredOn(change -> change.state() == TaskState.SUCCESS).hasSize(1);
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(orchestrator.requests())
                    .filteredOn(r -> id.equals(r.taskId()) && "success".equals(r.reportedStatus()) && r.status() == 200)
                    .as(outage + ": final statuses taken").hasSize(1));
            assertThat(done.claims()).isEqualTo(1);
        } catch (Exception e) {
            throw new IllegalStateException(outage + ": " + e.getMessage(), e);
        }
    }
}
