package com.elcanotek.victoria.runner.orchestrator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code POST /nodes/heartbeat}. {@code current_task_id} is always sent, also as null:
 * the server stores it as sent, and a null is what frees the node's name after a restart.
 */
public record HeartbeatRequest(
        @JsonProperty("node_id") String nodeId,
        @JsonProperty("status") NodeStatus status,
        @JsonProperty("current_task_id") @JsonInclude(JsonInclude.Include.ALWAYS) String currentTaskId) {
}
