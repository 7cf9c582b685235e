package com.elcanotek.victoria.runner.orchestrator;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /logs}. */
public record LogSubmission(
        @JsonProperty("task_id") String taskId,
        @JsonProperty("session") SessionLog session) {
}
