package com.elcanotek.victoria.runner.driver;

import java.time.Instant;
import java.util.Objects;

/**
 * An instance of a task's agent as the backend reports it.
 *
 * @param handle how it is addressed from now on
 * @param name what the backend shows it as, for the operator (a container's name)
 * @param taskId the task it runs, from the runner's label
 * @param exitCode set only when {@code state} is {@link State#EXITED}
 * @param startedAt null when it never started
 * @param finishedAt null while it runs or when it never ran
 */
public record Instance(String handle, String name, String taskId, State state, Integer exitCode, Instant startedAt,
        Instant finishedAt) {

    /** What matters of an instance's state to the runner. */
    public enum State {
        RUNNING,
        /** ran to completion: it has an exit code */
        EXITED,
        /** anything else (created and never started, paused, dead): it gives no exit code */
        OTHER
    }

    public Instance {
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(state, "state");
        if (state != State.EXITED) {
            exitCode = null;
        }
    }
}
