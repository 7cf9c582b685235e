package com.elcanotek.victoria.runner.orchestrator;

/**
 * What a failed orchestrator call means for the one who made it: the one rule, used by every caller (claims,
 * heartbeats, lease renewals, deliveries, downloads), so that a status means the same thing wherever it comes back.
 */
public enum Refusal {

    /**
     * What the call was about is not this node's any more: the orchestrator's own 403 (its {@code detail}: the task
     * was cancelled, or its lease given to another node) or a 404 (no such task; for a heartbeat, no such node).
     * The only cancellation signal there is.
     */
    NOT_OURS,
    /** The node key was refused (401): register again, then try again. */
    REREGISTER,
    /** The body is larger than the server takes (413): send less. */
    SHRINK,
    /**
     * Worth trying again later, the same: no answer, a server error, rate limiting, a timeout, an answer that could
     * not be read, or a 403 the orchestrator did not write (a proxy or a web application firewall: its words are
     * in the message, and it cancels nothing).
     */
    LATER,
    /** Refused for good (400 and the other 4xx): the same call will never be taken. */
    NEVER;

    public static Refusal of(OrchestratorException e) {
        int status = e.status();
        if (status == 403 && e.isOrchestratorsOwn() || status == 404) {
            return NOT_OURS;
        }
        if (status == 401) {
            return REREGISTER;
        }
        if (status == 413) {
            return SHRINK;
        }
        if (e.isTransient() || e.isMalformedAnswer() || status == 403 || status == 408) {
            return LATER;
        }
        return NEVER;
    }
}
