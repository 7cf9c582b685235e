package com.elcanotek.victoria.runner.orchestrator;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /status}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusUpdate(
        @JsonProperty("task_id") String taskId,
        @JsonProperty("status") TaskStatus status,
        @JsonProperty("message") String message,
        @JsonProperty("timestamp") String timestamp) {

    public static StatusUpdate of(String taskId, TaskStatus status, String message) {
        return new StatusUpdate(taskId, status, message, Instant.now().toString());
    }
}
