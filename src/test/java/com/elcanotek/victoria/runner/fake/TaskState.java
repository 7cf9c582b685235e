package com.elcanotek.victoria.runner.fake;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Task lifecycle: pending -> leased -> running/analyzing -> success|error; cancelled by an admin. */
public enum TaskState {
    PENDING, LEASED, RUNNING, ANALYZING, SUCCESS, ERROR, CANCELLED;

    /** pending, assigned and cancelled belong to the orchestrator; a node may not report them. */
    private static final Set<TaskState> REPORTABLE = EnumSet.of(LEASED, RUNNING, ANALYZING, SUCCESS, ERROR);

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<TaskState> reportable(String wire) {
        return REPORTABLE.stream().filter(s -> s.wire().equals(wire)).findFirst();
    }

    boolean isFinal() {
        return this == SUCCESS || this == ERROR;
    }

    /** States in which a node holds the task under a lease. */
    boolean isHeld() {
        return this == LEASED || isWorking();
    }

    /** States that renew the lease when reported and that open the task's files to its holder. */
    boolean isWorking() {
        return this == RUNNING || this == ANALYZING;
    }
}
