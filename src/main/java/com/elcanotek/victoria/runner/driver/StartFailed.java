package com.elcanotek.victoria.runner.driver;

/**
 * A task's agent could not start; the message names what and why, in the backend's own words where it has them.
 * A failure of this host (the engine, the image, the disk), not of the task, is one the next task would meet too.
 */
public class StartFailed extends RuntimeException {

    private final boolean ofHost;

    private StartFailed(String message, Throwable cause, boolean ofHost) {
        super(message, cause);
        this.ofHost = ofHost;
    }

    /** The task itself cannot be started as it is (its prompt, its id): another task could. */
    public static StartFailed ofTask(String message) {
        return new StartFailed(message, null, false);
    }

    /** This host cannot start tasks now: the next task would fail the same way. */
    public static StartFailed ofHost(String message, Throwable cause) {
        return new StartFailed(message, cause, true);
    }

    public boolean isOfHost() {
        return ofHost;
    }
}
