package com.elcanotek.victoria.runner.task;

import com.elcanotek.victoria.runner.driver.Exit;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.TaskOutcome;
import com.elcanotek.victoria.runner.orchestrator.TaskStatus;

/** What an exit means for the task: the final status, its message, and how the metrics count it. */
record Outcome(TaskStatus status, String message, TaskOutcome counted) {

    /**
     * @param timedOut the runner stopped the container at its deadline
     * @param stoppedBecause why a stop of the runner ended the container, or null when none did
     */
    static Outcome of(Exit exit, boolean timedOut, String stoppedBecause, long timeoutSeconds) {
        if (stoppedBecause != null) {
            return new Outcome(TaskStatus.ERROR, stoppedBecause, TaskOutcome.FAILED);
        }
        if (timedOut) {
            return new Outcome(TaskStatus.ERROR, "timed out after " + timeoutSeconds + " s", TaskOutcome.TIMED_OUT);
        }
        if (exit.outOfMemory() != null) {
            return new Outcome(TaskStatus.ERROR, exit.outOfMemory(), TaskOutcome.FAILED);
        }
        if (exit.code() == 0) {
            return new Outcome(TaskStatus.SUCCESS, "completed", TaskOutcome.SUCCEEDED);
        }
        return new Outcome(TaskStatus.ERROR, "container exited with code " + exit.code(), TaskOutcome.FAILED);
    }
}
