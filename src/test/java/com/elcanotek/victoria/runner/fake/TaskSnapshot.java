package com.elcanotek.victoria.runner.fake;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A task at one moment. {@code holderNodeId} is the node the task was last leased to (null once a lease
 * expired); {@code result} is the message of the final status; {@code latestSession} is the session of
 * the latest accepted log submission (null if none), {@code logSubmissions} how many were accepted, and
 * {@code logsAcceptedAt} when the latest was (null if none), taken under the same lock as the history's times,
 * so the two can be ordered.
 */
public record TaskSnapshot(String id, String prompt, TaskState state, String holderNodeId, Instant leaseExpiresAt,
        String result, List<StatusChange> history, int logSubmissions, JsonNode latestSession,
        Instant logsAcceptedAt) {

    /** The states the task went through, oldest first. */
    public List<TaskState> states() {
        return history.stream().map(StatusChange::state).toList();
    }

    /** When the task first entered {@code state}; AssertionError (with the history) if it never did. */
    public Instant firstAt(TaskState state) {
        return history.stream().filter(change -> change.state() == state).map(StatusChange::at).findFirst()
                .orElseThrow(() -> new AssertionError(id + " never reached " + state + ": " + history));
    }

    /**
     * One accepted transition: every status a node reported and was answered 200 for (repeats of a final
     * status excepted, they change nothing), plus the orchestrator's own (created, claimed, lease expired,
     * cancelled). {@code nodeId} is null for the orchestrator's own transitions except the claim.
     */
    public record StatusChange(TaskState state, String message, String nodeId, Instant at) {
    }
}
