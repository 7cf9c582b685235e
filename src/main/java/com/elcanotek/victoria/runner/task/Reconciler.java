package com.elcanotek.victoria.runner.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.driver.DriverUnavailable;
import com.elcanotek.victoria.runner.driver.Instance;
import com.elcanotek.victoria.runner.driver.TaskDriver;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.ReconcileAction;

/**
 * Brings the journal and the driver back in line: every journaled task nobody works on is resumed (after a restart:
 * re-adopted if its container runs, reported if it exited), and a running container of this runner that no task knows
 * is stopped and removed once it is older than a grace period; a finished one no task knows has nothing left to give
 * and is removed at once. A task whose journal entry could not be read is still known: its container is left alone.
 * Runs at start-up, then periodically, on the scheduler's thread.
 */
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final TaskJournal journal;
    private final TaskLoop loop;
    private final TaskRuns runs;
    private final TaskDriver driver;
    private final Duration orphanGrace;
    private final Clock clock;
    private final RunnerMetrics metrics;

    public Reconciler(TaskJournal journal, TaskLoop loop, TaskRuns runs, TaskDriver driver, Duration orphanGrace,
            Clock clock, RunnerMetrics metrics) {
        this.journal = journal;
        this.loop = loop;
        this.runs = runs;
        this.driver = driver;
        this.orphanGrace = orphanGrace;
        this.clock = clock;
        this.metrics = metrics;
    }

    public void reconcile() {
        Set<String> known = new HashSet<>(journal.setAsideUnreadable());
        for (JournalEntry entry : journal.all()) {
            known.add(entry.task().taskId());
            if (!runs.holds(entry.task().taskId()) && loop.resume(entry)) {
                metrics.reconciled(ReconcileAction.RESUMED);
            }
        }
        Instant cutoff = clock.instant().minus(orphanGrace);
        try {
            List<Instance> instances = driver.all();
            // Read again after the listing: a listed container's task was journaled and held before the
            // container was created, so a task claimed meanwhile is never taken for an orphan.
            journal.all().forEach(entry -> known.add(entry.task().taskId()));
            for (Instance instance : instances) {
                String taskId = instance.taskId();
                if (known.contains(taskId) || runs.holds(taskId)) {
                    continue;
                }
                if (instance.state() != Instance.State.RUNNING) {
                    LOG.infof("Removing finished container %s of task %s, which this runner does not hold", instance.name(),
                            taskId);
                    driver.remove(instance.handle());
                    metrics.reconciled(ReconcileAction.FINISHED_REMOVED);
                    continue;
                }
                Instant since = instance.startedAt() != null ? instance.startedAt() : instance.finishedAt();
                if (since == null || since.isAfter(cutoff)) {
                    continue;
                }
                LOG.warnf("Removing container %s of task %s, which this runner does not hold", instance.name(), taskId);
                driver.stop(instance.handle());
                driver.remove(instance.handle());
                metrics.reconciled(ReconcileAction.ORPHAN_REMOVED);
            }
        } catch (DriverUnavailable e) {
            LOG.warnf("Cannot list this runner's containers: %s", e.getMessage());
        }
    }
}
