package com.elcanotek.victoria.runner.orchestrator;

import com.fasterxml.jackson.annotation.JsonValue;

/** The task states a runner may report; the others belong to the orchestrator. */
public enum TaskStatus {
    RUNNING, ANALYZING, SUCCESS, ERROR;

    @JsonValue
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean isFinal() {
        return this == SUCCESS || this == ERROR;
    }
}
