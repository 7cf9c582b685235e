package com.elcanotek.victoria.runner.fake;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A task at one moment, {@code takenAt}. {@code holderNodeId} is the node the task was last leased to (null once
 * a lease expired); {@code result} is the message of the final status; {@code latestSession} is the session of
 * the latest accepted log submission (null if none), {@code logSubmissions} how many were accepted, and
 * {@code logsAcceptedAt} when the latest was (null if none), taken under the same lock as the history's times,
 * so the two can be ordered. {@code leases} are the times the task was held, oldest first: one per claim.
 * <p>
 * "The log, then the final status, each exactly once": {@code logSubmissions == 1}, one final entry in the
 * history, {@code logsAcceptedAt} before it. A repeated final status changes nothing, so it is not in the
 * history; count those in {@link FakeOrchestrator#requests()} by {@link RequestRecord#taskId()}.
 */
public record TaskSnapshot(String id, String prompt, TaskState state, String holderNodeId, Instant leaseExpiresAt,
        String result, List<StatusChange> history, int logSubmissions, JsonNode latestSession,
        Instant logsAcceptedAt, List<Lease> leases, Instant takenAt) {

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
     * How many times GET /tasks/pending handed the task out. Counting LEASED entries in the history would also
     * count a node reporting the status {@code leased}.
     */
    public int claims() {
        return leases.size();
    }

    /** Every moment the lease was granted (a claim) or renewed, over all leases, oldest first. */
    public List<Instant> leaseRenewals() {
        return leases.stream().flatMap(lease -> lease.renewals().stream()).toList();
    }

    /**
     * The longest time the task went without a renewal while held, over all its leases (see
     * {@link Lease#longestGap}); a lease still held counts up to {@code takenAt}. Zero if never claimed. The
     * time between an expiry and the next claim is not counted: nobody held the task.
     */
    public Duration longestLeaseGap() {
        return leases.stream().map(lease -> lease.longestGap(takenAt)).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /**
     * One accepted transition: every status a node reported and was answered 200 for (repeats of a final
     * status excepted, they change nothing), plus the orchestrator's own (created, claimed, lease expired,
     * cancelled). {@code nodeId} is null for the orchestrator's own transitions except the claim.
     */
    public record StatusChange(TaskState state, String message, String nodeId, Instant at) {
    }

    /**
     * One holding of the task by {@code nodeId}: its lease granted or renewed at each of {@code renewals} (the
     * first is the claim; then every busy heartbeat naming the task and every running/analyzing status), until
     * {@code endedAt}, the moment of the final status, cancel or expiry that ended it (the same instant as that
     * history entry), null while still held.
     */
    public record Lease(String nodeId, List<Instant> renewals, Instant endedAt) {

        /**
         * The longest time without a renewal while held: between consecutive renewals, and from the last one to
         * {@code endedAt}, or to {@code now} while still held (an expiry thus shows as a gap of at least the
         * lease duration).
         */
        public Duration longestGap(Instant now) {
            Duration longest = Duration.ZERO;
            Instant previous = renewals.get(0);
            for (Instant next : renewals.subList(1, renewals.size())) {
                longest = max(longest, Duration.between(previous, next));
                previous = next;
            }
            return max(longest, Duration.between(previous, endedAt == null ? now : endedAt));
        }

        private static Duration max(Duration a, Duration b) {
            return a.compareTo(b) >= 0 ? a : b;
        }
    }
}
