package com.elcanotek.victoria.runner.task;

import java.time.Instant;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the runner knows of one held task, as last written to disk.
 *
 * @param exitCode the container's exit code once it exited
 * @param finalStatus the final status to report ({@code success}/{@code error}) and its message, once decided
 * @param leaseConfirmedAt when the orchestrator last renewed the task's lease for this node (absent in entries
 *                         of earlier versions: {@link #leaseConfirmed()} falls back to the newest step)
 * @param image the id of the image the task's container runs ({@code sha256:...}), once it started and the engine told
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JournalEntry(
        @JsonProperty("task") TaskAssignment task,
        @JsonProperty("stage") Stage stage,
        @JsonProperty("claimed_at") Instant claimedAt,
        @JsonProperty("container") String container,
        @JsonProperty("container_started_at") Instant containerStartedAt,
        @JsonProperty("exit_code") Integer exitCode,
        @JsonProperty("final_status") String finalStatus,
        @JsonProperty("final_message") String finalMessage,
        @JsonProperty("updated_at") Instant updatedAt,
        @JsonProperty("lease_confirmed_at") Instant leaseConfirmedAt,
        @JsonProperty("image") String image) {

    /** The steps that matter after a crash, in order. */
    public enum Stage {
        CLAIMED, FILES_READY, CONTAINER_STARTED, EXITED, LOGS_SENT, REPORTED
    }

    /** A final status is decided but the orchestrator has not taken it yet: the entry is in the outbox. */
    @JsonIgnore
    public boolean awaitsAcknowledgement() {
        return finalStatus != null && stage != Stage.REPORTED;
    }

    /** The last moment the lease is known to have been this node's. */
    @JsonIgnore
    public Instant leaseConfirmed() {
        if (leaseConfirmedAt != null) {
            return leaseConfirmedAt;
        }
        return updatedAt != null ? updatedAt : claimedAt;
    }

    public static JournalEntry claimed(TaskAssignment task, Instant at) {
        return new JournalEntry(task, Stage.CLAIMED, at, null, null, null, null, null, at, at, null);
    }

    public JournalEntry at(Stage next, Instant now) {
        return new JournalEntry(task, next, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, now, leaseConfirmedAt, image);
    }

    public JournalEntry started(String containerName, Instant startedAt) {
        return new JournalEntry(task, Stage.CONTAINER_STARTED, claimedAt, containerName, startedAt, exitCode,
                finalStatus, finalMessage, startedAt, leaseConfirmedAt, image);
    }

    /** @param code the exit code, or null when the container gave none (it never ran, or was lost) */
    public JournalEntry exited(Integer code, String status, String message, Instant now) {
        return new JournalEntry(task, Stage.EXITED, claimedAt, container, containerStartedAt, code, status, message,
                now, leaseConfirmedAt, image);
    }

    public JournalEntry decided(String status, String message, Instant now) {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, status, message, now,
                leaseConfirmedAt, image);
    }

    public JournalEntry leaseConfirmed(Instant at) {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, updatedAt, at, image);
    }

    public JournalEntry ranOn(String imageDigest) {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, updatedAt, leaseConfirmedAt, imageDigest);
    }
}
