package com.elcanotek.victoria.runner.fake;

/** An error answer {@code {"detail": ...}}: thrown by the fake's rules, rendered by the router. */
final class ApiError extends RuntimeException {

    final int status;
    /** Seconds for a Retry-After header, or null for none. */
    final Long retryAfterSeconds;
    /** The answer of something in front of the orchestrator (a proxy, a firewall): the message as an HTML page. */
    final boolean fromInBetween;

    ApiError(int status, String detail) {
        this(status, detail, null, false);
    }

    ApiError(int status, String detail, Long retryAfterSeconds) {
        this(status, detail, retryAfterSeconds, false);
    }

    ApiError(int status, String detail, Long retryAfterSeconds, boolean fromInBetween) {
        // Expected control flow, not a bug: no stack trace needed.
        super(detail, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
        this.fromInBetween = fromInBetween;
    }
}
