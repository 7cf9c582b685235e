package com.elcanotek.victoria.runner.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.admission.ClaimAdmission;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/** The journal and the driver brought in line, on a driver in memory. */
@QuarkusTest
class ReconcilerTest {

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
    void aContainerOfATaskWhoseEntryWasSetAsideIsLeftAloneAndAStrayOneIsRemoved() {
        harness = new TaskHarness(dir, json, FakeOrchestrator.builder());
        String unreadable = harness.driver.adopt("aaaaaaaa-0000-4000-8000-000000000001");
        String stray = harness.driver.adopt("bbbbbbbb-0000-4000-8000-000000000002");
        harness.journal.setAside.add("aaaaaaaa-0000-4000-8000-000000000001");
        TaskRuns runs = new TaskRuns();
        TaskLoop loop = harness.loop(runs, 1, new ClaimAdmission(List.of()), () -> {
        });

        new Reconciler(harness.journal, loop, runs, harness.driver, Duration.ZERO, Clock.systemUTC(), harness.metrics)
                .reconcile();

        assertThat(harness.driver.removals).containsExactly(stray);
        assertThat(harness.driver.exists(unreadable)).isTrue();
    }
}
