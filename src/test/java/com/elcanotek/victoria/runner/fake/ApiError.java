package com.elcanotek.victoria.runner.fake;

/** An error answer {@code {"detail": ...}}: thrown by the fake's rules, rendered by the router. */
final class ApiError extends RuntimeException {

    final int status;
    /** Seconds for a Retry-After header, or null for none. */
    final Long retryAfterSeconds;

    ApiError(int status, String detail) {
        this(status, detail, null);
    }

    ApiError(int status, String detail, Long retryAfterSeconds) {
        // Expected control flow, not a bug: no stack trace needed.
        super(detail, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }
}
