package com.elcanotek.victoria.runner.fake;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A task at one moment. {@code holderNodeId} is the node the task was last leased to (null once a lease
 * expired); {@code result} is the message of the final status; {@code latestSession} is the session of
 * the latest accepted log submission (null if none), {@code logSubmissions} how many were accepted.
 */
public record TaskSnapshot(String id, String prompt, TaskState state, String holderNodeId, Instant leaseExpiresAt,
        String result, List<StatusChange> history, int logSubmissions, JsonNode latestSession) {

    /**
     * One accepted transition: every status a node reported and was answered 200 for (repeats of a final
     * status excepted, they change nothing), plus the orchestrator's own (created, claimed, lease expired,
     * cancelled). {@code nodeId} is null for the orchestrator's own transitions except the claim.
     */
    public record StatusChange(TaskState state, String message, String nodeId, Instant at) {
    }
}
