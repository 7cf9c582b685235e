package com.elcanotek.victoria.runner.orchestrator;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One agent session as {@code POST /logs} carries it; timestamps are unix seconds. */
public record SessionLog(
        @JsonProperty("id") String id,
        @JsonProperty("title") String title,
        @JsonProperty("prompt_tokens") long promptTokens,
        @JsonProperty("completion_tokens") long completionTokens,
        @JsonProperty("cost") double cost,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("updated_at") long updatedAt,
        @JsonProperty("messages") List<SessionMessage> messages) {

    public SessionLog {
        messages = messages == null ? List.of() : List.copyOf(messages);
    }

    public SessionLog withMessages(List<SessionMessage> replacement) {
        return new SessionLog(id, title, promptTokens, completionTokens, cost, createdAt, updatedAt, replacement);
    }
}
