package com.elcanotek.victoria.runner.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.container.ContainerInfo;
import com.elcanotek.victoria.runner.container.ContainerSpec;
import com.elcanotek.victoria.runner.container.ContainerState;
import com.elcanotek.victoria.runner.container.ContainerSupervisor;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.ReconcileAction;

/**
 * Brings the journal and the container runtime back in line: every journaled task nobody works on
 * is resumed (after a restart: re-adopted if its container runs, reported if it exited), and a
 * running container of this runner that no task knows is stopped and removed once it is older than a
 * grace period; a finished one no task knows has nothing left to give and is removed at once. Runs
 * at start-up, then periodically.
 */
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final TaskJournal journal;
    private final TaskLoop loop;
    private final TaskRuns runs;
    private final ContainerSupervisor supervisor;
    private final Duration orphanGrace;
    private final Clock clock;
    private final RunnerMetrics metrics;

    public Reconciler(TaskJournal journal, TaskLoop loop, TaskRuns runs, ContainerSupervisor supervisor,
            Duration orphanGrace, Clock clock, RunnerMetrics metrics) {
        this.journal = journal;
        this.loop = loop;
        this.runs = runs;
        this.supervisor = supervisor;
        this.orphanGrace = orphanGrace;
        this.clock = clock;
        this.metrics = metrics;
    }

    public void reconcile() {
        Set<String> known = new HashSet<>();
        for (JournalEntry entry : journal.all()) {
            known.add(entry.task().taskId());
            if (!runs.holds(entry.task().taskId()) && loop.resume(entry)) {
                metrics.reconciled(ReconcileAction.RESUMED);
            }
        }
        Instant cutoff = clock.instant().minus(orphanGrace);
        try {
            List<ContainerInfo> containers = supervisor.ours();
            // Read again after the listing: a listed container's task was journaled and held before the
            // container was created, so a task claimed meanwhile is never taken for an orphan.
            journal.all().forEach(entry -> known.add(entry.task().taskId()));
            for (ContainerInfo container : containers) {
                String taskId = container.labels().get(ContainerSpec.LABEL_TASK);
                if (known.contains(taskId) || runs.holds(taskId)) {
                    continue;
                }
                if (container.state() != ContainerState.RUNNING) {
                    LOG.infof("Removing finished container %s of task %s, which this runner does not hold", container.name(),
                            taskId);
                    supervisor.remove(container.name());
                    metrics.reconciled(ReconcileAction.FINISHED_REMOVED);
                    continue;
                }
                Instant since = container.startedAt() != null ? container.startedAt() : container.finishedAt();
                if (since == null || since.isAfter(cutoff)) {
                    continue;
                }
                LOG.warnf("Removing container %s of task %s, which this runner does not hold", container.name(), taskId);
                supervisor.stop(container.name());
                supervisor.remove(container.name());
                metrics.reconciled(ReconcileAction.ORPHAN_REMOVED);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Cannot list this runner's containers: %s", e.getMessage());
        }
    }
}
