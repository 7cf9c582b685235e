package com.elcanotek.victoria.runner.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.container.ContainerInfo;
import com.elcanotek.victoria.runner.container.ContainerSpec;
import com.elcanotek.victoria.runner.container.ContainerSupervisor;

/**
 * Brings the journal and the container runtime back in line: every journaled task nobody works on
 * is resumed (after a restart: re-adopted if its container runs, reported if it exited), and a
 * container of this runner that no task knows is stopped and removed once it is older than a grace
 * period. Runs at start-up, then periodically.
 */
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final TaskJournal journal;
    private final TaskLoop loop;
    private final TaskExecution execution;
    private final ContainerSupervisor supervisor;
    private final Duration orphanGrace;
    private final Clock clock;

    public Reconciler(TaskJournal journal, TaskLoop loop, TaskExecution execution, ContainerSupervisor supervisor,
            Duration orphanGrace, Clock clock) {
        this.journal = journal;
        this.loop = loop;
        this.execution = execution;
        this.supervisor = supervisor;
        this.orphanGrace = orphanGrace;
        this.clock = clock;
    }

    public void reconcile() {
        Set<String> known = new HashSet<>(execution.activeTasks());
        for (JournalEntry entry : journal.all()) {
            known.add(entry.task().taskId());
            if (!execution.activeTasks().contains(entry.task().taskId())) {
                loop.resume(entry);
            }
        }
        Instant cutoff = clock.instant().minus(orphanGrace);
        try {
            for (ContainerInfo container : supervisor.ours()) {
                String taskId = container.labels().get(ContainerSpec.LABEL_TASK);
                Instant since = container.startedAt() != null ? container.startedAt() : container.finishedAt();
                if (known.contains(taskId) || since == null || since.isAfter(cutoff)) {
                    continue;
                }
                LOG.warnf("Removing container %s of task %s, which this runner does not hold", container.name(), taskId);
                supervisor.stop(container.name());
                supervisor.remove(container.name());
            }
        } catch (RuntimeException e) {
            LOG.warnf("Cannot list this runner's containers: %s", e.getMessage());
        }
    }
}
