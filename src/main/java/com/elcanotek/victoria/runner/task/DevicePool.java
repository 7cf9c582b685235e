package com.elcanotek.victoria.runner.task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.elcanotek.victoria.runner.container.ContainerPolicy;

/**
 * Which of the operator's devices each held task has ({@code --devices-per-task}): a task about to start takes the
 * first free ones in the order they were given, keeps them (its journal entry says which, so that a restarted runner
 * hands them to no one else while the container runs on) and gives them back when its story on this runner ends. The
 * runner runs no more tasks at once than the pool has shares ({@link ContainerPolicy#deviceSlots}), so a task waits for
 * devices only when a reload shrank the pool, or a task from before a restart holds ones outside it.
 *
 * <p>Lock: this object's monitor guards the pool and who holds what.
 */
public final class DevicePool {

    private List<String> members;
    private int perTask;
    /** Task id to the devices it holds, which may lie outside the pool after a reload. */
    private final Map<String, List<String>> held = new HashMap<>();

    public DevicePool(ContainerPolicy policy) {
        apply(policy);
    }

    /** A reload's pool and share: tasks holding devices keep them until they end. */
    public synchronized void apply(ContainerPolicy policy) {
        members = policy.devicesPerTask() == 0 ? List.of() : policy.devicePool();
        perTask = policy.devicesPerTask();
        notifyAll();
    }

    /**
     * The devices of {@code taskId}: those it holds already, else {@code perTask} free ones, waited for until
     * {@code deadlineNanos} (monotonic). Empty when every task gets all devices.
     *
     * @throws TaskFailure when none came free in time
     */
    public synchronized List<String> acquire(String taskId, long deadlineNanos) throws InterruptedException {
        while (true) {
            List<String> own = held.get(taskId);
            if (own != null) {
                return own;
            }
            if (perTask == 0) {
                return List.of();
            }
            List<String> free = new ArrayList<>(members);
            held.values().forEach(free::removeAll);
            if (free.size() >= perTask) {
                List<String> taken = List.copyOf(free.subList(0, perTask));
                held.put(taskId, taken);
                return taken;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new TaskFailure("no free devices within the start budget: " + perTask + " per task, "
                        + free.size() + " of " + members.size() + " free (" + String.join(", ", members) + ")");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** A task held before a restart keeps the devices its journal entry names, in or outside the pool. */
    public synchronized void adopt(String taskId, List<String> devices) {
        if (devices != null && !devices.isEmpty()) {
            held.put(taskId, List.copyOf(devices));
        }
    }

    /** The task's story on this runner ended: its devices are free for the next. */
    public synchronized void release(String taskId) {
        if (held.remove(taskId) != null) {
            notifyAll();
        }
    }
}
