package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * Three held tasks and an orchestrator answering one request in three after 40 s (past the runner's 30 s read
 * timeout): each task renews its own lease on its own timer, so a slow answer for one never delays another's,
 * no lease has a gap anywhere near the server's 5 minutes, and nothing is claimed twice.
 */
class SlowOrchestratorIT {

    static final Duration SLOW_ANSWER = Duration.ofSeconds(40);
    /** How long the orchestrator stays slow: several renewal periods of each task. */
    static final Duration SLOW_FOR = Duration.ofSeconds(120);
    static final Duration MAX_GAP = Duration.ofSeconds(90);

    @TempDir
    Path work;

    @Test
    void everyLeaseIsRenewedWithinNinetySecondsAndNothingRunsTwice() throws Exception {
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "slow-" + ProcessHandle.current().pid(),
                        Map.of("--max-concurrent-tasks", "3", "--lease-renewal-interval", "30", "--heartbeat-interval", "30",
                                "--read-timeout", "30"),
                        Map.of())) {
            List<String> ids = IntStream.range(0, 3).mapToObj(i -> orchestrator.createTask("sleep=140 exit=0")).toList();
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
                System.out.printf("SlowOrchestratorIT: task %s longest lease gap %.1f s over %d renewals%n", id,
                        done.longestLeaseGap().toMillis() / 1000.0, done.leaseRenewals().size());
                assertThat(done.claims()).isEqualTo(1);
                assertThat(done.longestLeaseGap()).isLessThan(MAX_GAP);
                assertThat(done.history()).filteredOn(change -> change.state() == TaskState.SUCCESS).hasSize(1);
                assertThat(done.history()).noneMatch(change -> change.state() == TaskState.CANCELLED
                        || change.state() == TaskState.PENDING && change.message() != null
                                && change.message().contains("expired"));
            }
        }
    }
}
