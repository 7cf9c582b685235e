package com.elcanotek.victoria.runner.orchestrator;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /status}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusUpdate(
        @JsonProperty("task_id") String taskId,
        @JsonProperty("status") TaskStatus status,
        @JsonProperty("message") String message,
        @JsonProperty("timestamp") String timestamp) {

    /**
     * The form the Python runner sent ({@code datetime.now(timezone.utc).isoformat()}): microseconds and
     * {@code +00:00}, which every ISO-8601 parser of the orchestrator's takes, where {@code Z} or nanoseconds may not be.
     */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx")
            .withZone(ZoneOffset.UTC);

    public static StatusUpdate of(String taskId, TaskStatus status, String message) {
        return new StatusUpdate(taskId, status, message, TIMESTAMP.format(Instant.now()));
    }
}
