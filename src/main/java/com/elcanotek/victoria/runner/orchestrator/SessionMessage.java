package com.elcanotek.victoria.runner.orchestrator;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One message of a session; {@code content} is Crush's {@code parts} column as stored. */
public record SessionMessage(
        @JsonProperty("id") String id,
        @JsonProperty("role") String role,
        @JsonProperty("content") String content,
        @JsonProperty("model") String model,
        @JsonProperty("provider") String provider,
        @JsonProperty("created_at") Long createdAt,
        @JsonProperty("finished_at") Long finishedAt) {

    public SessionMessage withContent(String replacement) {
        return new SessionMessage(id, role, replacement, model, provider, createdAt, finishedAt);
    }
}
