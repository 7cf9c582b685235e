package com.elcanotek.victoria.runner.task;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.housekeeping.DiskSpaceGuard;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.PollOutcome;
import com.elcanotek.victoria.runner.node.Registration;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;

/**
 * Claims tasks while a slot is free. Runs on every scheduler tick and again as soon as a task
 * ends. Reading {@code /tasks/pending} claims, so a claimed task is written to the journal before
 * anything else happens: a task the runner forgets stays lost until its lease expires.
 */
public class TaskLoop {

    private static final Logger LOG = Logger.getLogger(TaskLoop.class);

    private final Orchestrator orchestrator;
    private final Registration registration;
    private final TaskJournal journal;
    private final HeldTasks held;
    private final TaskHandler handler;
    private final ExecutorService workers;
    private final int slots;
    private final DiskSpaceGuard diskSpace;
    private final RunnerMetrics metrics;
    private final ReentrantLock polling = new ReentrantLock();
    private final AtomicBoolean claiming = new AtomicBoolean(true);
    private final AtomicBoolean pollAgain = new AtomicBoolean();

    public TaskLoop(Orchestrator orchestrator, Registration registration, TaskJournal journal, HeldTasks held,
            TaskHandler handler, ExecutorService workers, int slots, DiskSpaceGuard diskSpace, RunnerMetrics metrics) {
        this.orchestrator = orchestrator;
        this.registration = registration;
        this.journal = journal;
        this.held = held;
        this.handler = handler;
        this.workers = workers;
        this.slots = slots;
        this.diskSpace = diskSpace;
        this.metrics = metrics;
    }

    /**
     * Claims until the slots are full or nothing is pending. A poll asked for while another is under
     * way makes that one go round again, so a slot freed at any moment is polled at once.
     */
    public void poll() {
        pollAgain.set(true);
        while (pollAgain.get() && polling.tryLock()) {
            try {
                pollAgain.set(false);
                while (claiming.get() && held.size() < slots && registration.current().isPresent()
                        && diskSpace.allowsClaims() && claimOne()) {
                    // each round claims one task
                }
            } finally {
                polling.unlock();
            }
        }
    }

    /** Claims no more tasks; those held go on. */
    public void stopClaiming() {
        claiming.set(false);
        polling.lock();
        polling.unlock();
    }

    private boolean claimOne() {
        TaskAssignment task;
        long start = System.nanoTime();
        try {
            task = orchestrator.claimNextTask().orElse(null);
            metrics.polled(task == null ? PollOutcome.EMPTY : PollOutcome.TASK, Duration.ofNanos(System.nanoTime() - start));
        } catch (OrchestratorException e) {
            metrics.polled(PollOutcome.ERROR, Duration.ofNanos(System.nanoTime() - start));
            if (e.isUnauthorized()) {
                LOG.warnf("Poll refused (%s): registering again", e.getMessage());
                registration.renew(e.getMessage());
            } else if (e.isMalformedAnswer()) {
                // The server may have claimed a task we cannot read: only its lease expiry frees it.
                LOG.errorf("Poll answer could not be read; a task may have been claimed and lost until its lease expires: %s",
                        e.getMessage());
            } else {
                LOG.warnf("Poll failed: %s", e.getMessage());
            }
            return false;
        }
        if (task == null) {
            return false;
        }
        if (!TaskJournal.isUsableId(task.taskId()) || task.prompt() == null) {
            LOG.errorf("Claimed a task with an unusable task_id or no prompt (%s); it cannot be run",
                    task.taskId() == null ? null : task.taskId().substring(0, Math.min(64, task.taskId().length())));
            return true;
        }
        metrics.claimed();
        TaskLogContext.run(task.taskId(), () -> {
            // Held before journaled, so that a reconcile in between never takes it for a task of a previous run.
            held.add(task);
            try {
                journal.claimed(task);
            } catch (RuntimeException e) {
                LOG.errorf("cannot be journaled (%s); running it anyway, but a restart would lose it", e.getMessage());
            }
            LOG.info("claimed");
        });
        workers.execute(() -> run(task, () -> handler.handle(task)));
        return true;
    }

    /**
     * Takes up a task held before a restart; it occupies a slot like a claimed one.
     *
     * @return false when the task is held already
     */
    public boolean resume(JournalEntry entry) {
        TaskAssignment task = entry.task();
        if (!held.addIfAbsent(task, entry.claimedAt())) {
            return false;
        }
        TaskLogContext.run(task.taskId(), () -> LOG.infof("resuming from the journal (%s)", entry.stage()));
        workers.execute(() -> run(task, () -> handler.resume(entry)));
        return true;
    }

    private void run(TaskAssignment task, Runnable work) {
        TaskLogContext.run(task.taskId(), () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.error("ended unexpectedly", e);
            } finally {
                held.remove(task.taskId());
            }
        });
        try {
            poll();
        } catch (RuntimeException e) {
            // The scheduled poll meets the same problem soon and deals with it there.
            LOG.warnf("Poll after task %s failed: %s", task.taskId(), e.getMessage());
        }
    }
}
