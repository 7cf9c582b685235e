package com.elcanotek.victoria.runner.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.admission.ClaimAdmission;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/** Claims against the stateful fake, into runs on a driver in memory. */
@QuarkusTest
class TaskLoopTest {

    @Inject
    ObjectMapper json;

    @TempDir
    Path dir;

    private TaskHarness harness;

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void eachClaimTellsTheWatchdogTheLoopLivesSoALongRunOfSlowClaimsIsNotKilled() {
        harness = new TaskHarness(dir, json, FakeOrchestrator.builder());
        for (int i = 0; i < 3; i++) {
            harness.fake.createTask("sleep=60");
        }
        // A slow server: each claim takes a good part of what the watchdog allows a poll job.
        harness.fake.delayEvery(1, Duration.ofMillis(300));
        AtomicInteger ticks = new AtomicInteger();
        TaskRuns runs = new TaskRuns();
        TaskLoop loop = harness.loop(runs, 3, new ClaimAdmission(List.of()), ticks::incrementAndGet);

        loop.poll();

        assertThat(runs.size()).isEqualTo(3);
        assertThat(ticks).as("one sign of life per claim").hasValue(3);
        await().atMost(TaskHarness.WAIT).until(() -> harness.driver.launches.size() == 3);
    }

    @Test
    void aClosedGateClaimsNothing() {
        harness = new TaskHarness(dir, json, FakeOrchestrator.builder());
        harness.fake.createTask("sleep=60");
        TaskRuns runs = new TaskRuns();
        TaskLoop loop = harness.loop(runs, 1, new ClaimAdmission(List.of(() -> Optional.of("draining"))), () -> {
        });

        loop.poll();

        assertThat(runs.size()).isZero();
        assertThat(harness.fake.requests()).noneMatch(r -> r.path().equals("/tasks/pending"));
    }
}
