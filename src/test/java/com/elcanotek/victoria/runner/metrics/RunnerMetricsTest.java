package com.elcanotek.victoria.runner.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.metrics.RunnerMetrics.PollOutcome;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.ReconcileAction;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.TaskOutcome;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class RunnerMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RunnerMetrics metrics = new RunnerMetrics(registry);

    @Test
    void everyCounterExistsFromTheStartAtZero() {
        for (PollOutcome outcome : PollOutcome.values()) {
            assertThat(registry.get("victoria.runner.polls").tag("outcome", outcome.name().toLowerCase()).counter().count()).isZero();
        }
        for (TaskOutcome outcome : TaskOutcome.values()) {
            assertThat(registry.get("victoria.runner.tasks.finished").tag("outcome", outcome.name().toLowerCase()).counter()
                    .count()).isZero();
        }
        for (ReconcileAction action : ReconcileAction.values()) {
            assertThat(registry.get("victoria.runner.reconcile.actions").tag("action", action.name().toLowerCase()).counter()
                    .count()).isZero();
        }
        assertThat(registry.get("victoria.runner.claim.to.start").timer().count()).isZero();
        assertThat(registry.get("victoria.runner.exit.to.report").timer().count()).isZero();
    }

    @Test
    void recordsWhatTheComponentsReport() {
        metrics.polled(PollOutcome.EMPTY, Duration.ofMillis(20));
        metrics.polled(PollOutcome.TASK, Duration.ofMillis(30));
        metrics.claimed();
        metrics.claimToStart(Duration.ofMillis(1500));
        metrics.finished(TaskOutcome.TIMED_OUT);
        metrics.exitToReport(Duration.ofMillis(200));
        metrics.heartbeatFailed();
        metrics.reconciled(ReconcileAction.FINISHED_REMOVED);
        metrics.downloaded(1234);

        assertThat(registry.get("victoria.runner.polls").tag("outcome", "empty").counter().count()).isEqualTo(1);
        assertThat(registry.get("victoria.runner.poll.latency").timer().count()).isEqualTo(2);
        assertThat(registry.get("victoria.runner.tasks.claimed").counter().count()).isEqualTo(1);
        assertThat(registry.get("victoria.runner.claim.to.start").timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
                .isEqualTo(1500);
        assertThat(registry.get("victoria.runner.tasks.finished").tag("outcome", "timed_out").counter().count()).isEqualTo(1);
        assertThat(registry.get("victoria.runner.exit.to.report").timer().count()).isEqualTo(1);
        assertThat(registry.get("victoria.runner.heartbeat.failures").counter().count()).isEqualTo(1);
        assertThat(registry.get("victoria.runner.reconcile.actions").tag("action", "finished_removed").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("victoria.runner.files.downloaded").counter().count()).isEqualTo(1234);
    }

    @Test
    void gaugesFollowTheNewestRunnerWatched() {
        AtomicInteger first = new AtomicInteger(3);
        AtomicInteger second = new AtomicInteger(1);
        metrics.watch(first::get, () -> 2);
        assertThat(registry.get("victoria.runner.tasks.running").gauge().value()).isEqualTo(3);
        assertThat(registry.get("victoria.runner.outbox.depth").gauge().value()).isEqualTo(2);

        metrics.watch(second::get, () -> 0);

        assertThat(registry.find("victoria.runner.tasks.running").gauges()).singleElement()
                .satisfies(gauge -> assertThat(gauge.value()).isEqualTo(1));
        assertThat(registry.get("victoria.runner.outbox.depth").gauge().value()).isZero();
    }
}
