package com.elcanotek.victoria.runner.task;

/**
 * A task cannot go on; the message becomes its {@code error} report, so it names what and why. A failure of
 * the host (the engine, the disk), not of the task, also counts towards stopping claims (see HostBreaker).
 */
public class TaskFailure extends RuntimeException {

    private final boolean ofHost;

    public TaskFailure(String message) {
        this(message, null, false);
    }

    public TaskFailure(String message, Throwable cause) {
        this(message, cause, false);
    }

    private TaskFailure(String message, Throwable cause, boolean ofHost) {
        super(message, cause);
        this.ofHost = ofHost;
    }

    /** The task could not start for a reason of this host, which the next task would meet too. */
    public static TaskFailure ofHost(String message, Throwable cause) {
        return new TaskFailure(message, cause, true);
    }

    public boolean isOfHost() {
        return ofHost;
    }
}
