package com.elcanotek.victoria.runner.task;

/** A task cannot go on; the message becomes its {@code error} report, so it names what and why. */
public class TaskFailure extends RuntimeException {

    public TaskFailure(String message) {
        super(message);
    }

    public TaskFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
