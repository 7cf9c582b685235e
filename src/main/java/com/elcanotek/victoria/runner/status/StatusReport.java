package com.elcanotek.victoria.runner.status;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What {@code victoria-runner status} shows, read from the state dir alone. Its JSON form is for
 * scripts; nothing in it is secret (the node key stays in {@code credentials.json}).
 *
 * @param daemonRunning whether the process that last wrote the status file still runs
 * @param outboxDepth   final statuses decided but not yet taken by the orchestrator
 * @param claimingStopped why the daemon claims no task (a drain, a first image pull, a host that cannot start tasks); null
 *                        while it claims
 * @param drainingSince  when the operator asked the runner to drain; null when not draining
 * @param limitsNotEnforced which of the task containers' limits the daemon's engine does not enforce, and why; null
 *                          while all hold
 */
public record StatusReport(
        @JsonProperty("node_name") String nodeName,
        @JsonProperty("node_id") String nodeId,
        @JsonProperty("orchestrator_url") String orchestratorUrl,
        @JsonProperty("registered_at") String registeredAt,
        @JsonProperty("daemon_pid") Long daemonPid,
        @JsonProperty("daemon_running") boolean daemonRunning,
        @JsonProperty("last_contact") Instant lastContact,
        @JsonProperty("outbox_depth") int outboxDepth,
        @JsonProperty("claiming_stopped") String claimingStopped,
        @JsonProperty("draining_since") String drainingSince,
        @JsonProperty("limits_not_enforced") String limitsNotEnforced,
        @JsonProperty("tasks") List<Task> tasks) {

    /** A task in flight, as the journal last recorded it. */
    public record Task(
            @JsonProperty("task_id") String taskId,
            @JsonProperty("stage") String stage,
            @JsonProperty("container") String container,
            @JsonProperty("claimed_at") Instant claimedAt,
            @JsonProperty("running_for_seconds") long runningForSeconds,
            @JsonProperty("image") String image) {
    }
}
