package com.elcanotek.victoria.runner.task;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;

/** The tasks this runner holds a lease on right now, from claim until their story ends. */
public class HeldTasks {

    /** One held task and when the runner claimed it. */
    public record Held(TaskAssignment task, Instant claimedAt) {
    }

    private final Map<String, Held> tasks = new ConcurrentHashMap<>();
    private final Clock clock;

    public HeldTasks(Clock clock) {
        this.clock = clock;
    }

    public void add(TaskAssignment task) {
        tasks.put(task.taskId(), new Held(task, clock.instant()));
    }

    /** @return false when the task was already held */
    public boolean addIfAbsent(TaskAssignment task, Instant claimedAt) {
        return tasks.putIfAbsent(task.taskId(), new Held(task, claimedAt)) == null;
    }

    public void remove(String taskId) {
        tasks.remove(taskId);
    }

    public int size() {
        return tasks.size();
    }

    public Collection<Held> all() {
        return List.copyOf(tasks.values());
    }

    /** The task a heartbeat names: the longest held, so the one named stays the same while it runs. */
    public Optional<String> heartbeatTask() {
        return tasks.values().stream().min(Comparator.comparing(Held::claimedAt).thenComparing(h -> h.task().taskId()))
                .map(h -> h.task().taskId());
    }
}
