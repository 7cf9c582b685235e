package com.elcanotek.victoria.runner.orchestrator;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /register}. */
public record RegisterRequest(
        @JsonProperty("hostname") String hostname,
        @JsonProperty("name") String name,
        @JsonProperty("os_type") String osType) {
}
