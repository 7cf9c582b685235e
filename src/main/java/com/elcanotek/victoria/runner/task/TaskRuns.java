package com.elcanotek.victoria.runner.task;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tasks this runner holds right now, one {@link TaskRun} each, from claim until their story on
 * this runner ends. Only a set: each task's state lives in its run.
 */
public class TaskRuns {

    private final Map<String, TaskRun> runs = new ConcurrentHashMap<>();

    /** @return false when a run of the same task is held already */
    public boolean add(TaskRun run) {
        return runs.putIfAbsent(run.taskId(), run) == null;
    }

    public void remove(TaskRun run) {
        runs.remove(run.taskId(), run);
    }

    public boolean holds(String taskId) {
        return runs.containsKey(taskId);
    }

    public Optional<TaskRun> get(String taskId) {
        return Optional.ofNullable(runs.get(taskId));
    }

    public int size() {
        return runs.size();
    }

    public Collection<TaskRun> all() {
        return List.copyOf(runs.values());
    }

    /**
     * The task a heartbeat names: the longest held whose lease still matters, so the one named stays the same
     * while it runs.
     */
    public Optional<String> heartbeatTask() {
        return runs.values().stream().filter(TaskRun::namedInHeartbeat)
                .min(Comparator.comparing(TaskRun::claimedAt).thenComparing(TaskRun::taskId))
                .map(TaskRun::taskId);
    }
}
