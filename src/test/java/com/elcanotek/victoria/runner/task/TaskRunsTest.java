package com.elcanotek.victoria.runner.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.orchestrator.Backoff;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.state.Layout;

class TaskRunsTest {

    private final TaskRuns runs = new TaskRuns();

    /** Only the clock and the settings are read when a run is created: nothing else of a run is touched here. */
    private static TaskRun claimedAt(String id, Instant at) {
        TaskServices.Settings settings = new TaskServices.Settings(new Layout(Path.of("/state"), Path.of("/home")),
                URI.create("http://orchestrator"), 1 << 20, () -> Duration.ofSeconds(45),
                new Backoff.Policy(Duration.ofSeconds(1), Duration.ofSeconds(60)), Duration.ofMinutes(5),
                Duration.ofMinutes(15), Duration.ofMinutes(5), Duration.ofSeconds(70), Duration.ofSeconds(10), 3);
        TaskServices services = new TaskServices(null, null, null, null, null, null, null, settings,
                Clock.fixed(at, ZoneOffset.UTC), null, null, null, null, null, null, null);
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
