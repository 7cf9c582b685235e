package com.elcanotek.victoria.runner.orchestrator;

import com.fasterxml.jackson.annotation.JsonValue;

/** The four node states the orchestrator accepts in a heartbeat. */
public enum NodeStatus {
    IDLE, BUSY, OFFLINE, ERROR;

    @JsonValue
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
