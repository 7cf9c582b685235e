package com.elcanotek.victoria.runner.fake;

import static com.elcanotek.victoria.runner.fake.TaskState.CANCELLED;
import static com.elcanotek.victoria.runner.fake.TaskState.LEASED;
import static com.elcanotek.victoria.runner.fake.TaskState.PENDING;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Tasks, their leases and their files, with the server's ownership rules. Thread-safe: every method
 * holds the board's monitor, which {@link #awaitState} also waits on.
 */
final class TaskBoard {

    /** What GET /tasks/pending hands out; immutable, so it can leave the lock. */
    record Assignment(String taskId, TaskSpec spec, List<String> checksums) {
    }

    /** One holding of the task, from its claim to its end; see {@link TaskSnapshot.Lease}. */
    private static final class Holding {
        final String nodeId;
        final List<Instant> renewals = new ArrayList<>();
        Instant endedAt;

        Holding(String nodeId) {
            this.nodeId = nodeId;
        }
    }

    private static final class Task {
        final Assignment assignment;
        final List<TaskSnapshot.StatusChange> history = new ArrayList<>();
        /** Oldest first; only the last one can be open (endedAt null), and only while the state is held. */
        final List<Holding> leases = new ArrayList<>();
        TaskState state;
        String holder;
        Instant leaseExpiresAt;
        String result;
        JsonNode latestSession;
        int logSubmissions;
        Instant logsAcceptedAt;

        Task(Assignment assignment) {
            this.assignment = assignment;
        }
    }

    private final Duration leaseDuration;
    /** Insertion order is the claim order: the oldest pending task goes first, also after a re-queue. */
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    /** File names are global, as on the server: a later task's file replaces an earlier one's. */
    private final Map<String, StoredFile> files = new HashMap<>();

    TaskBoard(Duration leaseDuration) {
        this.leaseDuration = leaseDuration;
    }

    synchronized String create(TaskSpec spec) {
        String id = UUID.randomUUID().toString();
        List<String> checksums = new ArrayList<>();
        spec.files().forEach((name, file) -> {
            if (file.bytes() == null) {
                files.remove(name);
            } else {
                files.put(name, StoredFile.of(file));
            }
            checksums.add(StoredFile.advertised(file));
        });
        Task task = new Task(new Assignment(id, spec, List.copyOf(checksums)));
        tasks.put(id, task);
        transition(task, PENDING, null, "created", Instant.now());
        return id;
    }

    /** Reading claims: the oldest pending task is leased to the caller right now. */
    synchronized Optional<Assignment> claim(String nodeId) {
        Optional<Task> next = tasks.values().stream().filter(t -> t.state == PENDING).findFirst();
        next.ifPresent(task -> {
            Instant now = Instant.now(); // one moment: the claim's history entry is its lease's first renewal
            task.holder = nodeId;
            task.leases.add(new Holding(nodeId));
            renewLease(task, now);
            transition(task, LEASED, nodeId, null, now);
        });
        return next.map(task -> task.assignment);
    }

    synchronized void report(String nodeId, String taskId, TaskState status, String message) {
        Task task = find(taskId);
        if (status.isFinal() && task.state.isFinal() && nodeId.equals(task.holder)) {
            return; // the server acknowledges a repeated final status without changing anything
        }
        requireHeld(task, nodeId);
        Instant now = Instant.now();
        if (status.isFinal()) {
            task.leaseExpiresAt = null;
            task.result = message;
        } else if (status.isWorking()) {
            renewLease(task, now);
        }
        transition(task, status, nodeId, message, now);
    }

    synchronized void submitLogs(String nodeId, String taskId, JsonNode session) {
        Task task = find(taskId);
        requireHeld(task, nodeId);
        task.latestSession = session.deepCopy();
        task.logSubmissions++;
        task.logsAcceptedAt = Instant.now();
        notifyAll();
    }

    /** A busy heartbeat naming a task: renews it if the node holds it, and is silently ignored otherwise. */
    synchronized void renew(String nodeId, String taskId) {
        Task task = tasks.get(taskId);
        if (task != null && holds(task, nodeId)) {
            renewLease(task, Instant.now());
        }
    }

    /** The Range header of each download of the file so far ("" for none). */
    synchronized List<String> fileRanges(String name) {
        StoredFile file = files.get(name);
        return file == null ? List.of() : List.copyOf(file.ranges());
    }

    synchronized StoredFile download(String nodeId, String name) {
        boolean allowed = tasks.values().stream().anyMatch(t -> nodeId.equals(t.holder) && t.state.isWorking()
                && t.assignment.spec().files().containsKey(name));
        if (!allowed) {
            throw new ApiError(403, "File access denied");
        }
        StoredFile file = files.get(name);
        if (file == null) {
            throw new ApiError(404, "File not found");
        }
        return file;
    }

    /** Returns tasks whose lease ran out to pending, for anyone to claim. */
    synchronized void sweep() {
        Instant now = Instant.now();
        for (Task task : tasks.values()) {
            if (task.state.isHeld() && task.leaseExpiresAt.isBefore(now)) {
                task.holder = null;
                task.leaseExpiresAt = null;
                transition(task, PENDING, null, "lease expired", now);
            }
        }
    }

    synchronized void cancel(String taskId) {
        Task task = existing(taskId);
        if (task.state.isFinal() || task.state == CANCELLED) {
            throw new IllegalStateException("task " + taskId + " is already " + task.state.wire());
        }
        task.leaseExpiresAt = null;
        transition(task, CANCELLED, null, "cancelled by admin", Instant.now());
    }

    synchronized TaskSnapshot snapshot(String taskId) {
        return snapshot(existing(taskId));
    }

    synchronized TaskSnapshot awaitState(String taskId, TaskState state, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Task task = existing(taskId);
        while (task.state != state) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("task " + taskId + " is " + task.state.wire() + ", still not "
                        + state.wire() + " after " + timeout + "; history: " + task.history);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return snapshot(task);
    }

    private TaskSnapshot snapshot(Task task) {
        List<TaskSnapshot.Lease> leases = task.leases.stream()
                .map(h -> new TaskSnapshot.Lease(h.nodeId, List.copyOf(h.renewals), h.endedAt)).toList();
        return new TaskSnapshot(task.assignment.taskId(), task.assignment.spec().prompt(), task.state, task.holder,
                task.leaseExpiresAt, task.result, List.copyOf(task.history), task.logSubmissions,
                task.latestSession == null ? null : task.latestSession.deepCopy(), task.logsAcceptedAt, leases,
                Instant.now());
    }

    /** Leaving the held states (final status, cancel, expiry) ends the open lease at the same moment. */
    private void transition(Task task, TaskState state, String nodeId, String message, Instant at) {
        task.state = state;
        task.history.add(new TaskSnapshot.StatusChange(state, message, nodeId, at));
        if (!state.isHeld() && !task.leases.isEmpty()) {
            Holding last = task.leases.get(task.leases.size() - 1);
            if (last.endedAt == null) {
                last.endedAt = at;
            }
        }
        notifyAll();
    }

    /** Only ever called while the task is held, so its last lease is the open one. */
    private void renewLease(Task task, Instant now) {
        task.leaseExpiresAt = now.plus(leaseDuration);
        task.leases.get(task.leases.size() - 1).renewals.add(now);
    }

    private static boolean holds(Task task, String nodeId) {
        return nodeId.equals(task.holder) && task.state.isHeld();
    }

    /** Cancelled, re-queued, given to another node or already final: all look the same to the node. */
    private static void requireHeld(Task task, String nodeId) {
        if (!holds(task, nodeId)) {
            throw new ApiError(403, "Node is not assigned to this task");
        }
    }

    private Task find(String taskId) {
        Task task = taskId == null ? null : tasks.get(taskId);
        if (task == null) {
            throw new ApiError(404, "Task not found");
        }
        return task;
    }

    private Task existing(String taskId) {
        Task task = tasks.get(taskId);
        if (task == null) {
            throw new IllegalArgumentException("no task " + taskId);
        }
        return task;
    }
}
