package com.elcanotek.victoria.runner.orchestrator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Answer of {@code POST /register}; the only place the orchestrator ever shows a node's key. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeRegistration(
        @JsonProperty("id") String id,
        @JsonProperty("api_key") String apiKey,
        @JsonProperty("name") String name,
        @JsonProperty("registered_at") String registeredAt) {

    @Override
    public String toString() {
        // The key must never reach a log line, even through an accidental toString().
        return "NodeRegistration[id=" + id + ", name=" + name + ", apiKey=<redacted>]";
    }
}
