package com.elcanotek.victoria.runner.task;

import java.time.Instant;
import java.util.List;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the runner knows of one held task, as last written to disk.
 *
 * @param container the handle of the task's container (the id {@code run} printed; a name in entries of earlier
 *                  versions), once started
 * @param exitCode the container's exit code once it exited
 * @param finalStatus the final status to report ({@code success}/{@code error}) and its message, once decided
 * @param leaseConfirmedAt when the orchestrator last renewed the task's lease for this node (absent in entries
 *                         of earlier versions: {@link #leaseConfirmed()} falls back to the newest step)
 * @param image the id of the image the task's container runs ({@code sha256:...}), once it started and the engine told
 * @param attempts starts and deliveries of this entry begun and not settled (by a clean stop of the runner, or by an
 *                 agent that runs): a task whose start or delivery keeps making the runner die (a crash, an error
 *                 nobody foresaw) is given up after a few, instead of renewing the lease for ever
 * @param lastError what ended the last run that did not end well, for the report when the task is given up
 * @param previousContainer the container of an earlier run of this task on this node, which had lost the task (a
 *                          403) and was being stopped when this claim came: never this claim's own
 * @param devices the devices of its own the task was given ({@code --devices-per-task}), journaled before its container
 *                starts so that a restarted runner gives them to no other task while it runs; absent when none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
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
        @JsonProperty("image") String image,
        @JsonProperty("attempts") int attempts,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("previous_container") String previousContainer,
        @JsonProperty("devices") List<String> devices) {

    public JournalEntry {
        devices = devices == null ? null : List.copyOf(devices);
    }

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
        return new JournalEntry(task, Stage.CLAIMED, at, null, null, null, null, null, at, at, null, 0, null, null, null);
    }

    public JournalEntry at(Stage next, Instant now) {
        return new JournalEntry(task, next, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, now, leaseConfirmedAt, image, attempts, lastError, previousContainer, devices);
    }

    public JournalEntry started(String handle, Instant startedAt) {
        return new JournalEntry(task, Stage.CONTAINER_STARTED, claimedAt, handle, startedAt, exitCode,
                finalStatus, finalMessage, startedAt, leaseConfirmedAt, image, attempts, lastError, previousContainer, devices);
    }

    /** @param code the exit code, or null when the container gave none (it never ran, or was lost) */
    public JournalEntry exited(Integer code, String status, String message, Instant now) {
        return new JournalEntry(task, Stage.EXITED, claimedAt, container, containerStartedAt, code, status, message,
                now, leaseConfirmedAt, image, attempts, lastError, previousContainer, devices);
    }

    public JournalEntry decided(String status, String message, Instant now) {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, status, message, now,
                leaseConfirmedAt, image, attempts, lastError, previousContainer, devices);
    }

    public JournalEntry leaseConfirmed(Instant at) {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, updatedAt, at, image, attempts, lastError, previousContainer, devices);
    }

    public JournalEntry ranOn(String imageDigest) {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, updatedAt, leaseConfirmedAt, imageDigest, attempts, lastError, previousContainer, devices);
    }

    /** One more attempt at what could make the runner die begins from this entry: a start, or a delivery. */
    public JournalEntry attempted() {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, updatedAt, leaseConfirmedAt, image, attempts + 1, lastError, previousContainer, devices);
    }

    /**
     * The attempt that began last came to a point that says nothing against the task: the runner stopped cleanly, or
     * the agent runs and only its exit is awaited.
     */
    public JournalEntry attemptSettled() {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, updatedAt, leaseConfirmedAt, image, Math.max(0, attempts - 1), lastError, previousContainer, devices);
    }

    public JournalEntry failedWith(String error) {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, updatedAt, leaseConfirmedAt, image, attempts, error, previousContainer, devices);
    }

    /** The devices of its own the task was given. */
    public JournalEntry withDevices(List<String> given) {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, updatedAt, leaseConfirmedAt, image, attempts, lastError, previousContainer, given);
    }

    /** This claim came while an earlier run, which had lost the task, was stopping the container {@code handle}. */
    public JournalEntry after(String handle) {
        return new JournalEntry(task, stage, claimedAt, container, containerStartedAt, exitCode, finalStatus,
                finalMessage, updatedAt, leaseConfirmedAt, image, attempts, lastError, handle, devices);
    }
}
