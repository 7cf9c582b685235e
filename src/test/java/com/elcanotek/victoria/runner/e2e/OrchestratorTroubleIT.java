package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * An orchestrator in trouble, three ways at the same time, each against a fake and a runner of its own (so that
 * the suite waits two minutes, not five):
 * <ul>
 * <li>an outage of 90 s covering a task's end with connections refused, and another with requests that
 * hang: afterwards the session log and then the final status arrive, exactly once each;</li>
 * <li>three held tasks and an orchestrator answering one request in three after 40 s (past the runner's 30 s
 * read timeout): each task renews its own lease on its own timer, so a slow answer for one never delays
 * another's, no lease has a gap over 90 s, and nothing is claimed twice.</li>
 * </ul>
 */
class OrchestratorTroubleIT {

    static final Duration OUTAGE = Duration.ofSeconds(90);
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Duration SLOW_ANSWER = Duration.ofSeconds(40);
    /** How long the orchestrator stays slow: several renewal periods of each task. */
    static final Duration SLOW_FOR = Duration.ofSeconds(90);
    static final Duration MAX_GAP = Duration.ofSeconds(90);

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
    void resultsArriveOnceAfterOutagesAndEveryLeaseIsKeptWhileTheOrchestratorIsSlow() {
        CompletableFuture<Void> refused = CompletableFuture.runAsync(() -> survives(Outage.REFUSED));
        CompletableFuture<Void> hanging = CompletableFuture.runAsync(() -> survives(Outage.HANGING));
        CompletableFuture<Void> slow = CompletableFuture.runAsync(this::keepsEveryLeaseWhileTheOrchestratorIsSlow);

        CompletableFuture.allOf(refused, hanging, slow).join();
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
            System.out.printf("OrchestratorTroubleIT %s: log taken %.1f s and final status %.1f s after the outage ended%n", outage,
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

    private void keepsEveryLeaseWhileTheOrchestratorIsSlow() {
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work.resolve("slow"), "slow-" + ProcessHandle.current().pid(),
                        Map.of("--max-concurrent-tasks", "3", "--lease-renewal-interval", "30", "--heartbeat-interval", "30",
                                "--read-timeout", "30"),
                        Map.of())) {
            List<String> ids = IntStream.range(0, 3).mapToObj(i -> orchestrator.createTask("sleep=110 exit=0")).toList();
            for (String id : ids) {
                orchestrator.awaitState(id, TaskState.RUNNING, Duration.ofSeconds(60));
            }

            // Only once all three are held: a claim answered after the runner gave up on it is a task lost until
            // its lease expires, which no runner can help.
            orchestrator.delayEvery(3, SLOW_ANSWER);
            Thread.sleep(SLOW_FOR.toMillis());
            orchestrator.delayEvery(0, SLOW_ANSWER);

            for (String id : ids) {
                TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, Duration.ofSeconds(120));
                System.out.printf("OrchestratorTroubleIT SLOW: task %s longest lease gap %.1f s over %d renewals%n", id,
                        done.longestLeaseGap().toMillis() / 1000.0, done.leaseRenewals().size());
                assertThat(done.claims()).isEqualTo(1);
                assertThat(done.longestLeaseGap()).isLessThan(MAX_GAP);
                assertThat(done.history()).filteredOn(change -> change.state() == TaskState.SUCCESS).hasSize(1);
                assertThat(done.history()).noneMatch(change -> change.state() == TaskState.CANCELLED
                        || change.state() == TaskState.PENDING && change.message() != null
                                && change.message().contains("expired"));
            }
        } catch (Exception e) {
            throw new IllegalStateException("SLOW: " + e.getMessage(), e);
        }
    }
}
