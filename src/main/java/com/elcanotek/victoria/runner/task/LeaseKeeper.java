package com.elcanotek.victoria.runner.task;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.StatusUpdate;
import com.elcanotek.victoria.runner.orchestrator.TaskStatus;

/**
 * Renews the lease of every task the runner still works on with a {@code running} report. A
 * heartbeat renews only the one task it names and never says a task was taken away; this report
 * is answered 403 when it was, which is how a cancellation is noticed within one renewal period.
 */
public class LeaseKeeper {

    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

    private final Orchestrator orchestrator;
    private final HeldTasks held;
    private final TaskExecution execution;

    public LeaseKeeper(Orchestrator orchestrator, HeldTasks held, TaskExecution execution) {
        this.orchestrator = orchestrator;
        this.held = held;
        this.execution = execution;
    }

    public void renew() {
        for (HeldTasks.Held task : held.all()) {
            String taskId = task.task().taskId();
            TaskLogContext.run(taskId, () -> renew(taskId));
        }
    }

    private void renew(String taskId) {
        try {
            orchestrator.status(StatusUpdate.of(taskId, TaskStatus.RUNNING, null));
        } catch (OrchestratorException e) {
            if (e.isNotAssigned() || e.isNotFound()) {
                execution.cancel(taskId);
            } else {
                LOG.warnf("lease renewal failed: %s", e.getMessage());
            }
        }
    }
}
