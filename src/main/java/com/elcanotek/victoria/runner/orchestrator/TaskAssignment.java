package com.elcanotek.victoria.runner.orchestrator;

import java.util.List;
import java.util.regex.Pattern;

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
    private static final Pattern UUID = Pattern.compile("\\p{XDigit}{8}(-\\p{XDigit}{4}){3}-\\p{XDigit}{12}");
    private static final int SHORT_ID_LENGTH = 8;
    private static final int VERSION_DIGIT = 14;

    public TaskAssignment {
        files = files == null ? List.of() : List.copyOf(files);
        fileChecksums = fileChecksums == null ? null : List.copyOf(fileChecksums);
    }

    public int effectiveTimeoutSeconds() {
        return timeoutSeconds == null || timeoutSeconds <= 0 ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds;
    }

    /** The short form of the id used in container and folder names: see {@link #shortId(String)}. */
    public String shortId() {
        return shortId(taskId);
    }

    /**
     * A random (version 4) uuid's first eight hex digits, or any other id whole: two tasks held at once must never
     * share a container name or a folder. Only a random uuid's start is as unique as the whole: a time-ordered one
     * (version 7, 1, 6) starts with its creation time, shared by every task made within a minute, and ids of other
     * shapes ({@code task-0001}, {@code task-0002}, {@code 00000000-...-0001}) often share their start.
     */
    public static String shortId(String taskId) {
        boolean random = UUID.matcher(taskId).matches() && taskId.charAt(VERSION_DIGIT) == '4';
        return random ? taskId.substring(0, SHORT_ID_LENGTH) : taskId;
    }
}
