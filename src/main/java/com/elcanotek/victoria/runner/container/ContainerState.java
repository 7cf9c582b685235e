package com.elcanotek.victoria.runner.container;

import java.util.Locale;

/** What the runner needs to know about a container's lifecycle, folded from both engines' status words. */
public enum ContainerState {
    /** Exists but never ran: also what podman reports after a reboot for a container that was running. */
    CREATED,
    /** Its process exists and has not finished, even if paused or on its way down. */
    RUNNING,
    /** Finished; only here is the exit code meaningful. */
    EXITED,
    /** Being removed, dead, or a status word we do not know. */
    OTHER;

    /** Maps {@code State.Status} of podman (created, configured, stopping, stopped, ...) or docker (restarting, dead, ...). */
    public static ContainerState of(String status) {
        return switch (status == null ? "" : status.toLowerCase(Locale.ROOT)) {
            case "created", "configured", "initialized" -> CREATED;
            // a paused or stopping container still holds its task: it is not done
            case "running", "paused", "restarting", "stopping" -> RUNNING;
            // podman's "stopped" is exited before its cleanup ran; the exit code is already final
            case "exited", "stopped" -> EXITED;
            default -> OTHER;
        };
    }
}
