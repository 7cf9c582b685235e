package com.elcanotek.victoria.runner.fake;

import java.time.Instant;

/**
 * One request the fake received. {@code path} is percent-decoded; {@code status} is -1 if no answer was sent.
 * {@code at} is when the fake was done with it (for a hung request: when it arrived, see
 * {@link FakeOrchestrator#hungRequests()}).
 * <p>
 * {@code taskId} is the task the request was about, so that a test can count, say, the final statuses sent for
 * one task (a repeated final status is answered 200 but leaves no trace in {@link TaskSnapshot#history()}): the
 * body's {@code task_id} for POST /status and /logs, a heartbeat's {@code current_task_id}, the {@code task_id}
 * of the assignment a GET /tasks/pending answered with; null otherwise. {@code reportedStatus} is the body's
 * {@code status}: a task status for POST /status, a node status for a heartbeat; null otherwise. Both are taken
 * from what was sent, also when the request was then refused, once its
 * body was read (not for a 413, a body that is not JSON, or a request refused before its body was read).
 * <p>
 * {@code nodeId} is the node the request came from, so that a fleet's requests can be told apart: the node its
 * key authenticated, or the one a registration created; null when neither is known (no key, an unknown one, a
 * refused registration, a hung request).
 */
public record RequestRecord(String method, String path, int status, Instant at, String taskId,
        String reportedStatus, String nodeId) {
}
