package com.elcanotek.victoria.runner.task;

import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.admission.ClaimAdmission;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.PollOutcome;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.TaskOutcome;
import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.node.Registration;
import com.elcanotek.victoria.runner.orchestrator.InvalidAssignment;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.Refusal;
import com.elcanotek.victoria.runner.orchestrator.StatusUpdate;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.orchestrator.TaskStatus;

/**
 * Claims tasks while a slot is free. Runs on every scheduler tick and again as soon as a task
 * ends. Reading {@code /tasks/pending} claims, so a claimed task is written to the journal before
 * anything else happens: a task the runner forgets stays lost until its lease expires.
 */
public class TaskLoop {

    private static final Logger LOG = Logger.getLogger(TaskLoop.class);

    private final Orchestrator orchestrator;
    private final Registration registration;
    private final TaskRuns runs;
    private final TaskServices services;
    private final ExecutorService workers;
    private final IntSupplier slots;
    private final ClaimAdmission admission;
    private final Runnable claimTick;
    private final RunnerMetrics metrics;
    private final ReentrantLock polling = new ReentrantLock();
    private final AtomicBoolean claiming = new AtomicBoolean(true);
    private final AtomicBoolean pollAgain = new AtomicBoolean();
    /** Makes a run's end and a new claim of its task one after the other, so that no claim is handed to a run gone. */
    private final Object handOver = new Object();

    /**
     * @param claimTick told of each claim about to be made: the watchdog's sign that the loop is alive, which a long
     *                  run of claims against a slow server must keep giving
     */
    public TaskLoop(Orchestrator orchestrator, Registration registration, TaskRuns runs, TaskServices services,
            ExecutorService workers, IntSupplier slots, ClaimAdmission admission, Runnable claimTick, RunnerMetrics metrics) {
        this.orchestrator = orchestrator;
        this.registration = registration;
        this.runs = runs;
        this.services = services;
        this.workers = workers;
        this.slots = slots;
        this.admission = admission;
        this.claimTick = claimTick;
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
                while (claiming.get() && runs.size() < slots.getAsInt() && registration.current().isPresent()
                        && admission.admits() && claimOne()) {
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
        claimTick.run();
        TaskAssignment task;
        Optional<Credentials> key = registration.current();
        long start = System.nanoTime();
        try {
            task = orchestrator.claimNextTask().orElse(null);
            metrics.polled(task == null ? PollOutcome.EMPTY : PollOutcome.TASK, Duration.ofNanos(System.nanoTime() - start));
        } catch (InvalidAssignment e) {
            metrics.polled(PollOutcome.TASK, Duration.ofNanos(System.nanoTime() - start));
            return rejected(e);
        } catch (OrchestratorException e) {
            metrics.polled(PollOutcome.ERROR, Duration.ofNanos(System.nanoTime() - start));
            if (e.refusal() == Refusal.REREGISTER) {
                LOG.warnf("Poll refused (%s): registering again", e.getMessage());
                try {
                    registration.renewUnlessRenewed(key, e.getMessage());
                } catch (OrchestratorException failed) {
                    LOG.logf(orchestrator.levelOf(failed), "Registering again failed: %s; the next poll tries again",
                            failed.getMessage());
                }
            } else if (e.isMalformedAnswer()) {
                // The server may have claimed a task we cannot read: only its lease expiry frees it.
                LOG.errorf("Poll answer could not be read; a task may have been claimed and lost until its lease expires: %s",
                        e.getMessage());
            } else {
                LOG.logf(orchestrator.levelOf(e), "Poll failed: %s", e.getMessage());
            }
            return false;
        }
        if (task == null) {
            return false;
        }
        if (!TaskJournal.isUsableId(task.taskId())) {
            return rejected(new InvalidAssignment(task.taskId(), "task_id is not a usable id (1 to 64 letters, digits and '-')"));
        }
        metrics.claimed();
        hold(TaskRun.claimed(services, task), "claimed");
        return true;
    }

    /** A claimed task that cannot run is reported as an error at once, when it has an id at all; else lease expiry frees it. */
    private boolean rejected(InvalidAssignment e) {
        metrics.claimed();
        metrics.finished(TaskOutcome.FAILED);
        if (!TaskJournal.isUsableId(e.taskId())) {
            // Shown escaped and cut: the id is the server's, and may hold line breaks that would forge log lines.
            String shown = FileNames.printable(e.taskId());
            LOG.errorf("Claimed a task that cannot be run (task_id %s): %s", shown, e.getMessage());
            if (e.taskId() != null) {
                reportUnjournaled(e.taskId(), shown, e.getMessage());
            }
            return true;
        }
        hold(TaskRun.rejected(services, e.taskId(), e.getMessage()), "claimed, but cannot be run: " + e.getMessage());
        return true;
    }

    /**
     * An id no journal file can be named after (a path, too long) has no run to retry its report: one try here, so
     * that the orchestrator hears of it before the lease expires, if it takes such an id at all.
     */
    private void reportUnjournaled(String taskId, String shown, String problem) {
        try {
            orchestrator.statusOnce(StatusUpdate.of(taskId, TaskStatus.ERROR, "the task cannot be run: " + problem));
            LOG.infof("Reported task_id %s as error", shown);
        } catch (OrchestratorException failed) {
            LOG.errorf("Cannot report task_id %s as error (%s); only its lease expiry frees it", shown, failed.getMessage());
        }
    }

    private void hold(TaskRun run, String message) {
        // Held before journaled, so that a reconcile in between never takes it for a task of a previous run.
        if (!runs.add(run)) {
            heldAlready(run);
            return;
        }
        TaskLogContext.run(run.taskId(), () -> {
            run.journalClaim();
            LOG.info(message);
        });
        execute(run);
    }

    /**
     * The server gave back a task this runner still holds (its lease expired meanwhile, during an outage say). A run
     * that still has it goes on, as the claim renewed its lease: a second one would run the task twice. A run that
     * lost it (a 403 came first) is stopping its container and reports nothing more: the claim waits for that run's
     * end and then starts the task anew, or the task would sit claimed by a node that does not run it.
     */
    private void heldAlready(TaskRun claim) {
        String id = claim.taskId();
        synchronized (handOver) {
            Optional<TaskRun> held = runs.get(id);
            if (held.isEmpty()) {
                hold(claim, "claimed again as its earlier run ended");
            } else if (held.get().claimedAgain(claim)) {
                TaskLogContext.run(id, () -> LOG.warn("claimed again while held; the run holding it goes on"));
            } else {
                TaskLogContext.run(id, () -> LOG.warn("claimed again while its earlier run, which had lost it, is stopping;"
                        + " it starts anew once that run has ended"));
            }
        }
    }

    /** A run the workers cannot take (the runner stops) is no longer held; its journal entry waits for the next start. */
    private void execute(TaskRun run) {
        try {
            workers.execute(() -> run(run));
        } catch (RejectedExecutionException stopping) {
            runs.remove(run);
        }
    }

    /**
     * Takes up a task held before a restart (or one whose run ended unexpectedly); it occupies a slot like a
     * claimed one.
     *
     * @return false when the task is held already
     */
    public boolean resume(JournalEntry entry) {
        if (!claiming.get()) {
            return false;
        }
        TaskRun run = TaskRun.resumed(services, entry);
        if (!runs.add(run)) {
            return false;
        }
        // The entry may be an old read: a run that ended between the read and the add forgot it first.
        if (!services.journal().holds(entry.task().taskId())) {
            runs.remove(run);
            // taken back for nothing: that run gave them back already
            services.devices().release(entry.task().taskId());
            return false;
        }
        execute(run);
        return true;
    }

    private void run(TaskRun run) {
        try {
            run.run();
        } finally {
            TaskRun next;
            synchronized (handOver) {
                runs.remove(run);
                next = run.takeSuccessor().orElse(null);
            }
            if (next != null && claiming.get()) {
                hold(next, "claimed again; starting anew now that the run that had lost it has ended");
            } else if (next != null) {
                // The runner is stopping: journaled, the claim is the next start's to take up.
                next.journalClaim();
            }
        }
        try {
            poll();
        } catch (RuntimeException e) {
            // The scheduled poll meets the same problem soon and deals with it there.
            LOG.warnf("Poll after task %s failed: %s", run.taskId(), e.getMessage());
        }
    }
}
