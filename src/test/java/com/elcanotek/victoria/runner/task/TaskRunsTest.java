package com.elcanotek.victoria.runner.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;

class TaskRunsTest {

    private final TaskRuns runs = new TaskRuns();

    /** Only the clock is used when a run is created: nothing else of a run is touched here. */
    private static TaskRun claimedAt(String id, Instant at) {
        TaskServices services = new TaskServices(null, null, null, null, null, null, null, null,
                Clock.fixed(at, ZoneOffset.UTC), null, null, null, null, null, null);
        return TaskRun.claimed(services, new TaskAssignment(id, "prompt", "", null, null, null));
    }

    @Test
    void aTaskIsHeldOnceAndOnlyItsOwnRunRemovesIt() {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        TaskRun first = claimedAt("11111111-0000-0000-0000-000000000000", now);
        TaskRun again = claimedAt("11111111-0000-0000-0000-000000000000", now);

        assertThat(runs.add(first)).isTrue();
        assertThat(runs.add(again)).isFalse();
        runs.remove(again);
        assertThat(runs.holds(first.taskId())).isTrue();
        runs.remove(first);
        assertThat(runs.size()).isZero();
    }
}
