package com.elcanotek.victoria.runner.orchestrator;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Answer of {@code GET /tasks/pending}. Fields the runner does not use (model, mcp_selection, ...)
 * are ignored; {@code timeout_seconds} is absent on the real server.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TaskAssignment(
        @JsonProperty("task_id") String taskId,
        @JsonProperty("prompt") String prompt,
        @JsonProperty("orchestrator_url") String orchestratorUrl,
        @JsonProperty("timeout_seconds") Integer timeoutSeconds,
        @JsonProperty("files") List<String> files,
        @JsonProperty("file_checksums") List<String> fileChecksums) {

    public static final int DEFAULT_TIMEOUT_SECONDS = 3600;

    public TaskAssignment {
        files = files == null ? List.of() : List.copyOf(files);
        fileChecksums = fileChecksums == null ? null : List.copyOf(fileChecksums);
    }

    public int effectiveTimeoutSeconds() {
        return timeoutSeconds == null || timeoutSeconds <= 0 ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds;
    }

    /** First eight characters of the id: the short form used in container and folder names. */
    public String shortId() {
        return taskId.length() <= 8 ? taskId : taskId.substring(0, 8);
    }
}
