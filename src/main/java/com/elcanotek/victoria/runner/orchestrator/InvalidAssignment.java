package com.elcanotek.victoria.runner.orchestrator;

/**
 * A claimed task the runner cannot run: the answer was JSON, but a field has the wrong type, is missing or
 * is null. Claiming happened all the same (reading claims), so the task is reported {@code error} with this
 * message whenever its id can be used.
 */
public class InvalidAssignment extends RuntimeException {

    private final String taskId;

    public InvalidAssignment(String taskId, String problem) {
        super(problem);
        this.taskId = taskId;
    }

    /** The task's id as sent, when it was a string at all; null otherwise. */
    public String taskId() {
        return taskId;
    }
}
