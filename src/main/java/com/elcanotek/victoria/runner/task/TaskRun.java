package com.elcanotek.victoria.runner.task;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.driver.DriverUnavailable;
import com.elcanotek.victoria.runner.driver.Exit;
import com.elcanotek.victoria.runner.driver.Instance;
import com.elcanotek.victoria.runner.driver.InstanceGone;
import com.elcanotek.victoria.runner.driver.Launch;
import com.elcanotek.victoria.runner.driver.StartFailed;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.TaskOutcome;
import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.Refusal;
import com.elcanotek.victoria.runner.orchestrator.StatusUpdate;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.orchestrator.TaskStatus;
import com.elcanotek.victoria.runner.task.JournalEntry.Stage;
import com.elcanotek.victoria.runner.task.ResultDelivery.LogResult;
import com.elcanotek.victoria.runner.task.ResultDelivery.Settled;

/**
 * One held task's life on this runner: its stage (journaled before each next step) and its supervision. From claim:
 * {@code running} (before the files, which the server serves only to running tasks; without files, right after the
 * container started), files, container, exit; then the results. Each step has a bound, and the whole story ends
 * within the task's timeout plus the start budget plus the delivery budget (and one lease for the final status), or
 * the task is given back by lease expiry: its {@link TaskLease} renews only for a step within its bound, its
 * {@link ResultDelivery} gives up on the log past the delivery budget, and a run that keeps dying is given up after a
 * few attempts. A 403 (the orchestrator's own) or 404 at any point means the task is no longer ours: its container is
 * stopped and nothing more is reported.
 *
 * <p>Threads: {@link #run()} runs on a worker thread of its own, which alone drives the stages and the delivery.
 * {@link #lose()}, {@link #abandon()}, {@link #stopForShutdown}, {@link #claimedAgain} and the lease's events may come
 * from any thread. Lock: this object's monitor guards the journal entry and the hand-over to a successor; the rest is
 * volatile or atomic, each written as its comment says.
 */
public final class TaskRun {

    private static final Logger LOG = Logger.getLogger(TaskRun.class);

    /**
     * How a stop of the runner ends this run: the container left running for the next start, or stopped (at
     * {@code at}) and the task reported with {@code message}.
     */
    private record Shutdown(boolean stopsContainer, String message, Instant at) {
    }

    private final TaskServices services;
    private final TaskAssignment task;
    private final boolean resumed;
    private final TaskLease lease;
    private final ResultDelivery delivery;
    private final InstanceStopper stopper;
    private final OutputKeeper output;
    /** Set once by {@link #lose()}: the orchestrator took the task away. */
    private final AtomicBoolean lost = new AtomicBoolean();
    // guarded by this
    private JournalEntry entry;
    private TaskRun successor;
    /** A successor owns the task's journal entry now: this run writes and forgets nothing more. */
    private boolean handedOver;
    private boolean ended;

    /** The handle of the task's container, once started; written by the worker thread. */
    private volatile String container;
    /** Written by the shutdown; null while the runner runs. */
    private volatile Shutdown shutdown;
    /** The watch of the running container, published by the worker thread for a shutdown to abandon. */
    private volatile ExitWatch watch;
    /** Set by the worker thread: the results cannot be delivered, and the lease has passed. */
    private volatile boolean givenUp;
    /** Set by the worker thread once the container's output was kept (or could not be). */
    private volatile boolean outputKept;

    // the worker thread's own
    private final StepBounds bounds;
    private final EngineRetry engine;
    /** When the container exited, for the metrics. */
    private Instant exitedAt;

    private TaskRun(TaskServices services, JournalEntry entry, boolean resumed) {
        this.services = services;
        this.task = entry.task();
        this.entry = entry;
        this.resumed = resumed;
        this.container = entry.container();
        this.bounds = new StepBounds(services.settings(), services.clock(), entry.claimedAt());
        this.engine = new EngineRetry(services.settings().retry(), this::leaving);
        this.lease = new TaskLease(task.taskId(), services, entry.leaseConfirmed(), new TaskLease.Events() {
            @Override
            public void confirmed(Instant at) {
                journal(e -> e.leaseConfirmed(at));
            }

            @Override
            public void notOurs() {
                lose();
            }
        });
        this.delivery = new ResultDelivery(task.taskId(), services, lease, lost::get);
        this.stopper = new InstanceStopper(services);
        this.output = new OutputKeeper(services);
        // At once, not when the worker thread begins: the heartbeat right after a restart names what really runs.
        lease.renewUntil(boundOfJournal());
    }

    /** A task just read from {@code /tasks/pending}: ours from that moment. */
    public static TaskRun claimed(TaskServices services, TaskAssignment task) {
        return new TaskRun(services, JournalEntry.claimed(task, services.clock().instant()), false);
    }

    /**
     * A task claimed that cannot be run ({@code problem} says why): all that is left to do is to report it as an
     * error, as any other outcome is, so that it does not wait for its lease to expire.
     */
    public static TaskRun rejected(TaskServices services, String taskId, String problem) {
        Instant now = services.clock().instant();
        TaskAssignment unrunnable = new TaskAssignment(taskId, "", "", null, null, null);
        return new TaskRun(services, JournalEntry.claimed(unrunnable, now)
                .exited(null, TaskStatus.ERROR.wire(), "the task cannot be run: " + problem, now)
                .at(Stage.LOGS_SENT, now), false);
    }

    /**
     * A task held before a restart, taken up where its journal entry says it was. It takes back the devices its entry
     * names at once, before any new claim could be given them: its container may still run on them.
     */
    public static TaskRun resumed(TaskServices services, JournalEntry entry) {
        services.devices().adopt(entry.task().taskId(), entry.devices());
        return new TaskRun(services, entry, true);
    }

    public String taskId() {
        return task.taskId();
    }

    public TaskAssignment task() {
        return task;
    }

    public synchronized Instant claimedAt() {
        return entry.claimedAt();
    }

    synchronized Stage stage() {
        return entry.stage();
    }

    /**
     * Whether a heartbeat may name this task, which renews its lease: while its lease is renewed, and while its final
     * status is on its way and the lease can still be ours.
     */
    public boolean namedInHeartbeat() {
        return !lost.get() && !givenUp && !isEnded()
                && (lease.renewing() || stage() == Stage.LOGS_SENT && lease.canStillBeOurs());
    }

    /**
     * The server handed this held task out again (its lease expired meanwhile, and it was given back to us): that
     * claim renewed the lease, so a run that still has the task goes on with it.
     *
     * @return false when this run has lost the task already (its container is being stopped): {@code claim} is then
     *         journaled at once, as a claim that comes after this run's container, and kept as this run's successor
     *         for a new run once this one has ended
     */
    public synchronized boolean claimedAgain(TaskRun claim) {
        if (lost.get()) {
            if (successor == null) {
                successor = claim;
                claim.journalAfter(container);
                handedOver = true;
            }
            return false;
        }
        lease.confirm();
        return true;
    }

    /** The claim of this task that came while this run, which had lost it, was stopping; taken once. */
    public synchronized Optional<TaskRun> takeSuccessor() {
        Optional<TaskRun> next = Optional.ofNullable(successor);
        successor = null;
        return next;
    }

    /** Makes the claim durable: called before anything else is done with a claimed task. */
    public void journalClaim() {
        journal(UnaryOperator.identity());
    }

    private void journalAfter(String previous) {
        journal(e -> e.after(previous));
    }

    /** The task's story on this runner, to its end or until a shutdown pauses it (the journal keeps it). */
    public void run() {
        TaskLogContext.run(taskId(), () -> {
            boolean paused = false;
            try {
                JournalEntry begun = journal(JournalEntry::attempted);
                if (resumed) {
                    LOG.infof("resuming from the journal (%s, attempt %d)", begun.stage(), begun.attempts());
                }
                if (begun.attempts() > services.settings().maxAttempts()) {
                    giveUp(begun);
                } else {
                    proceed();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                paused = true;
                LOG.info("left for the next start of the runner");
            } catch (RuntimeException e) {
                paused = unexpected(e);
            } finally {
                close(paused);
            }
        });
    }

    private void proceed() throws InterruptedException {
        try {
            switch (stage()) {
                case CLAIMED, FILES_READY -> {
                    lease.start(resumed ? Duration.ZERO : services.settings().leaseRenewal().get());
                    if (resumed) {
                        resumeContainer();
                    } else {
                        start();
                    }
                }
                case CONTAINER_STARTED -> {
                    lease.start(Duration.ZERO);
                    resumeContainer();
                }
                case EXITED -> {
                    lease.start(Duration.ZERO);
                    deliver();
                }
                case LOGS_SENT -> deliver();
                case REPORTED -> LOG.debug("already reported");
            }
        } catch (TaskFailure e) {
            failUnlessStopping(e.getMessage());
        }
    }

    /**
     * An error nobody foresaw while the task ran or was delivered (a bug, a file system that refuses a name) is this
     * task's failure, reported as such, never a silent end. What cannot be reported now is left journaled: the next
     * reconcile tries again, and the attempt count ends that.
     *
     * @return whether the run was paused by a stop of the runner meanwhile
     */
    private boolean unexpected(RuntimeException e) {
        String cause = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        LOG.error("failed unexpectedly", e);
        try {
            JournalEntry failed = journal(en -> en.failedWith(cause));
            switch (failed.stage()) {
                case CLAIMED, FILES_READY, CONTAINER_STARTED -> fail("the runner failed unexpectedly: " + cause);
                case EXITED -> {
                    settleLogWithout("session log not submitted: the runner failed unexpectedly: " + cause);
                    deliver();
                }
                default -> LOG.errorf("its final status is tried again at the next reconcile (attempt %d of %d)",
                        failed.attempts(), services.settings().maxAttempts());
            }
            return false;
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            return true;
        } catch (RuntimeException again) {
            LOG.errorf("and could not be reported (%s); the next reconcile tries again", again.getMessage());
            return false;
        }
    }

    /** Runs of this entry kept dying: the task is reported with the last cause, without anything more that could die. */
    private void giveUp(JournalEntry begun) throws InterruptedException {
        String why = "given up after " + (begun.attempts() - 1) + " runs ended unexpectedly"
                + (begun.lastError() == null ? "" : "; last: " + begun.lastError());
        switch (begun.stage()) {
            case CLAIMED, FILES_READY, CONTAINER_STARTED -> {
                stopContainer();
                services.metrics().finished(TaskOutcome.FAILED);
                LOG.errorf("failed: %s", why);
                journal(e -> e.exited(e.exitCode(), TaskStatus.ERROR.wire(), why, now()).at(Stage.LOGS_SENT, now()));
                deliver();
            }
            case EXITED -> {
                settleLogWithout("session log not submitted: " + why);
                deliver();
            }
            case LOGS_SENT -> {
                LOG.errorf("final status not delivered: %s; the task is left to the orchestrator (its lease expires)", why);
                givenUp = true;
            }
            case REPORTED -> LOG.debug("already reported");
        }
    }

    private void start() throws InterruptedException {
        try {
            boolean hasFiles = !task.files().isEmpty();
            if (hasFiles) {
                // The server serves files only to a task reported running.
                if (!reportRunning()) {
                    return;
                }
                services.files().download(task, services.settings().layout(), bounds.start());
                journal(e -> e.at(Stage.FILES_READY, now()));
            }
            if (lost.get()) {
                return;
            }
            if (stopping()) {
                throw new TaskFailure(shutdown.message());
            }
            if (leaving()) {
                // Journaled as not started: the next start takes it up.
                throw new InterruptedException("the runner is stopping");
            }
            if (StepBounds.past(bounds.start())) {
                throw new TaskFailure("not started within the start budget of " + services.settings().startBudget().toSeconds()
                        + " s");
            }
            Credentials credentials = services.registration().current()
                    .orElseThrow(() -> new TaskFailure("the runner is not registered"));
            List<String> devices = services.devices().acquire(taskId(), bounds.start());
            if (!devices.isEmpty() && !devices.equals(currentEntry().devices())) {
                journal(e -> e.withDevices(devices));
                LOG.infof("given the devices %s", String.join(", ", devices));
            }
            Instant started = now();
            long startedNanos = System.nanoTime();
            String handle = services.driver().start(new Launch(task, credentials.nodeId(), credentials.apiKey(),
                    containerOrchestratorUrl(), hasFiles, devices));
            container = handle;
            services.breaker().started();
            JournalEntry startedEntry = journal(e -> e.started(handle, started));
            services.metrics().claimToStart(Duration.between(startedEntry.claimedAt(), now()));
            // Without files nothing waited for it: reported once the agent is on its way (the claim's lease holds
            // until then). Refused, the task is lost and supervise stops the container.
            if (hasFiles || reportRunning()) {
                recordImage(handle);
            }
            supervise(startedNanos);
        } catch (StartFailed e) {
            if (e.isOfHost()) {
                services.breaker().failed(e.getMessage());
            }
            failUnlessStopping(e.getMessage());
        }
    }

    private void failUnlessStopping(String message) throws InterruptedException {
        if (lost.get()) {
            return;
        }
        if (Thread.currentThread().isInterrupted() || leaving()) {
            // Cut short by the runner's stop, not failed: the journal keeps it for the next start to resume.
            throw new InterruptedException("the runner is stopping: " + message);
        }
        fail(message);
    }

    /**
     * Which build of the agent runs the task, for the operator: journaled (so {@code status} shows it) and said in
     * a {@code running} report. One try: the next renewal renews the lease anyway.
     */
    private void recordImage(String handle) {
        Optional<String> image = services.driver().image(handle);
        if (image.isEmpty()) {
            return;
        }
        journal(e -> e.ranOn(image.get()));
        LOG.infof("the container runs image %s", image.get());
        try {
            services.orchestrator().statusOnce(StatusUpdate.of(taskId(), TaskStatus.RUNNING,
                    "container started on image " + image.get()));
            lease.confirm();
        } catch (OrchestratorException e) {
            if (e.refusal() == Refusal.NOT_OURS) {
                lose();
            }
        }
    }

    /** @return false when the orchestrator says the task is not ours (any more) */
    private boolean reportRunning() {
        try {
            services.orchestrator().status(StatusUpdate.of(taskId(), TaskStatus.RUNNING, "accepted by the runner"));
            lease.confirm();
            return true;
        } catch (OrchestratorException e) {
            if (e.refusal() == Refusal.NOT_OURS) {
                lose();
                return false;
            }
            // The claim gave the lease; files may be refused without this report, which fails the task clearly.
            LOG.errorf("could not report running: %s", e.getMessage());
            return true;
        }
    }

    private void resumeContainer() throws InterruptedException {
        Optional<Instance> found = engine.call("look for the container", boundOfJournal(),
                () -> services.driver().find(taskId()));
        JournalEntry known = currentEntry();
        if (found.isPresent() && found.get().handle().equals(known.previousContainer())) {
            // The container of the run that had lost the task: nothing of this claim. Gone first, as it holds the name.
            LOG.infof("container %s is the one of an earlier run that had lost the task; removing it", found.get().name());
            String previous = found.get().handle();
            engine.call("stop the earlier run's container", bounds.start(), () -> {
                services.driver().stop(previous);
                services.driver().remove(previous);
                return null;
            });
            found = Optional.empty();
        }
        Instance.State state = found.map(Instance::state).orElse(null);
        if (state == Instance.State.RUNNING) {
            Instance running = found.get();
            container = running.handle();
            Instant started = Optional.ofNullable(running.startedAt())
                    .orElse(Optional.ofNullable(known.containerStartedAt()).orElse(known.claimedAt()));
            LOG.infof("container %s still running after the restart; supervising it again", running.name());
            if (known.stage() != Stage.CONTAINER_STARTED || !running.handle().equals(known.container())) {
                journal(e -> e.started(running.handle(), started));
            }
            supervise(bounds.at(started));
        } else if (state == Instance.State.EXITED) {
            Instance exited = found.get();
            container = exited.handle();
            LOG.infof("container %s exited with code %d while the runner was down", exited.name(), exited.exitCode());
            Instant deadline = Optional.ofNullable(known.containerStartedAt()).orElse(known.claimedAt())
                    .plusSeconds(task.effectiveTimeoutSeconds());
            finish(new Exit(exited.exitCode(), exited.finishedAt(), null),
                    exited.finishedAt() != null && exited.finishedAt().isAfter(deadline));
        } else if (known.stage() == Stage.CONTAINER_STARTED) {
            fail("the container was lost while the runner was down");
        } else if (!lease.canStillBeOurs()) {
            fail("runner restarted before the container started, and the lease has expired since");
        } else {
            // Nothing of it ran: start it again from the top (files resume where the download stopped).
            LOG.info("the runner restarted before the container started; starting the task again");
            start();
        }
    }

    /**
     * Waits for the container's exit (stopping it at the deadline), then delivers the results. Waiting risks nothing
     * that could make the runner die: it is no attempt, and a runner restarted while the agent works (an upgrade, the
     * watchdog) costs the task none.
     */
    private void supervise(long startedNanos) throws InterruptedException {
        journal(JournalEntry::attemptSettled);
        String handle = container;
        long deadline = StepBounds.deadline(startedNanos, task.effectiveTimeoutSeconds());
        lease.renewUntil(bounds.running(deadline));
        ExitWatch watching = new ExitWatch(services, stopper, engine, handle, task.effectiveTimeoutSeconds(), deadline,
                bounds.running(deadline), () -> !isEnded());
        watch = watching;
        // Checked after the watch is published: a cancel or a shutdown that looked before it did not see it.
        if (leaving()) {
            watching.abandon();
        }
        if (lost.get() || stopping()) {
            stopContainer();
        }
        Exit exit;
        try {
            exit = watching.await();
        } catch (InstanceGone e) {
            if (!lost.get()) {
                fail("the container ended without an exit code: " + e.getMessage());
            }
            return;
        }
        if (!lost.get()) {
            finish(exit, watching.timedOut());
        }
    }

    /** @param timedOut the runner stopped the container at its deadline */
    private void finish(Exit exit, boolean timedOut) throws InterruptedException {
        exitedAt = now();
        bounds.exited(System.nanoTime());
        Optional<String> lastLines = keepOutput();
        Shutdown stop = shutdown;
        boolean stoppedByIt = stop != null && stop.stopsContainer()
                && (exit.finishedAt() == null || !exit.finishedAt().isBefore(stop.at()));
        Outcome outcome = Outcome.of(exit, timedOut, stoppedByIt ? stop.message() : null, task.effectiveTimeoutSeconds());
        // What the agent last said is what explains its failure to whoever reads the task.
        String message = outcome.status() == TaskStatus.ERROR && lastLines.isPresent()
                ? outcome.message() + ": " + lastLines.get() : outcome.message();
        services.metrics().finished(outcome.counted());
        LOG.infof("container exited with code %d: %s", exit.code(), outcome.status().wire());
        journal(e -> e.exited(exit.code(), outcome.status().wire(), message, now()).attempted());
        deliver();
    }

    /**
     * The task cannot go on: its outcome is an error with this message, delivered like any other. A task whose
     * container never existed has no session: what its folder holds cannot be its own.
     */
    private void fail(String message) throws InterruptedException {
        services.metrics().finished(TaskOutcome.FAILED);
        LOG.errorf("failed: %s", message);
        bounds.exited(System.nanoTime());
        boolean ran = container != null;
        journal(e -> {
            JournalEntry failed = e.exited(e.exitCode(), TaskStatus.ERROR.wire(), message, now());
            return ran ? failed : failed.at(Stage.LOGS_SENT, now());
        });
        deliver();
    }

    /**
     * Keeps the container's output, once, before it is removed: at its exit, or when the run ends without one (lost,
     * failed while it ran).
     *
     * @return its last lines, for an error message
     */
    private Optional<String> keepOutput() {
        String handle = container;
        if (handle == null || outputKept) {
            return Optional.empty();
        }
        outputKept = true;
        return output.keep(taskId(), handle);
    }

    /** The session log, within the delivery budget, then the final status. */
    private void deliver() throws InterruptedException {
        if (lost.get()) {
            return;
        }
        if (stage() == Stage.EXITED) {
            long budgetEnd = bounds.delivery();
            lease.renewUntil(budgetEnd);
            LogResult log = delivery.submitLog(services.settings().layout().sessionDir(taskId()), budgetEnd);
            if (log.settled() != Settled.DONE) {
                lose();
                return;
            }
            if (log.missing() != null) {
                settleLogWithout(log.missing());
            } else {
                journal(e -> e.at(Stage.LOGS_SENT, now()));
            }
        }
        if (stage() != Stage.LOGS_SENT) {
            return;
        }
        JournalEntry decided = currentEntry();
        TaskStatus status = TaskStatus.valueOf(decided.finalStatus().toUpperCase(Locale.ROOT));
        switch (delivery.reportFinal(status, decided.finalMessage())) {
            case DONE -> {
                journal(e -> e.at(Stage.REPORTED, now()));
                if (exitedAt != null) {
                    services.metrics().exitToReport(Duration.between(exitedAt, now()));
                }
            }
            case NOT_OURS -> lose();
            case GIVEN_UP -> givenUp = true;
        }
    }

    /** The final status goes without the session log, and says why. */
    private void settleLogWithout(String why) {
        journal(e -> e.decided(e.finalStatus(), e.finalMessage() + " (" + why + ")", now()).at(Stage.LOGS_SENT, now()));
    }

    /** The orchestrator took the task away (admin cancel or lease lost): stop its container, report nothing more. */
    public void lose() {
        if (!lost.compareAndSet(false, true)) {
            return;
        }
        services.metrics().finished(TaskOutcome.CANCELLED);
        TaskLogContext.run(taskId(), () -> LOG.warn("no longer assigned to this node (cancelled or lease lost); stopping it"));
        stopContainer();
    }

    /** Shutdown leaving containers to run: stop waiting for this one; results already due are still delivered. */
    public void abandon() {
        shutdown = new Shutdown(false, null, now());
        ExitWatch watching = watch;
        if (watching != null) {
            watching.abandon();
        }
    }

    /**
     * Shutdown stopping containers: this one is stopped and the task reported as an error with {@code message}, unless
     * its container had ended by itself before.
     */
    public void stopForShutdown(String message) {
        shutdown = new Shutdown(true, message, now());
        stopContainer();
    }

    /**
     * Stops the container, if it was started, until it is gone or this run has ended. Called on the worker, a
     * cancelling poll or the shutdown's thread: the stop's log lines name the task whichever it is.
     */
    private void stopContainer() {
        String handle = container;
        if (handle != null) {
            TaskLogContext.run(taskId(), () -> stopper.stopUntilGone(handle, () -> !isEnded()));
        }
    }

    /**
     * Applies {@code change} to the task's entry and writes it. A write that fails is logged and the task goes on:
     * only a restart would miss the step.
     */
    private synchronized JournalEntry journal(UnaryOperator<JournalEntry> change) {
        entry = change.apply(entry);
        if (!ended && !handedOver) {
            try {
                services.journal().write(entry);
            } catch (RuntimeException e) {
                LOG.errorf("cannot be journaled (%s); a restart would not know of this step", e.getMessage());
            }
        }
        return entry;
    }

    private synchronized JournalEntry currentEntry() {
        return entry;
    }

    private synchronized boolean isEnded() {
        return ended;
    }

    /**
     * The story on this runner is over or paused: what is settled is cleaned up, the rest stays journaled.
     *
     * @param paused a stop of the runner paused it: that run does not count as an attempt
     */
    private void close(boolean paused) {
        boolean over;
        boolean forget;
        synchronized (this) {
            if (paused && !handedOver) {
                journal(JournalEntry::attemptSettled);
            }
            ended = true;
            over = lost.get() || givenUp || entry.stage() == Stage.REPORTED;
            forget = over && !handedOver;
        }
        lease.stop();
        // a run paused by the runner's stop gives them back too: the process ends, and the next start takes them back
        services.devices().release(taskId());
        if (!over) {
            return;
        }
        String handle = container;
        if (handle != null) {
            keepOutput();
            try {
                services.driver().remove(handle);
            } catch (DriverUnavailable e) {
                LOG.warnf("cannot remove container %s: %s", handle, e.getMessage());
            }
        }
        if (forget) {
            services.journal().forget(taskId());
        }
    }

    /** The runner stops and leaves the container running, for its next start. */
    private boolean leaving() {
        Shutdown stop = shutdown;
        return stop != null && !stop.stopsContainer();
    }

    /** The runner stops and stops the container, reporting the task as an error. */
    private boolean stopping() {
        Shutdown stop = shutdown;
        return stop != null && stop.stopsContainer();
    }

    /**
     * The end of the step the journal entry is in, as the journal's times say: the start's, the running container's
     * (from its real start), or the log's delivery (from the exit: a restart buys the log no more time). The final
     * status has no bound of its own: it is tried while the lease can still be ours.
     */
    private long boundOfJournal() {
        JournalEntry known = currentEntry();
        return switch (known.stage()) {
            case CONTAINER_STARTED -> known.containerStartedAt() == null ? bounds.start()
                    : bounds.running(StepBounds.deadline(bounds.at(known.containerStartedAt()), task.effectiveTimeoutSeconds()));
            case EXITED -> {
                bounds.exited(bounds.at(known.updatedAt()));
                yield bounds.delivery();
            }
            case LOGS_SENT, REPORTED -> System.nanoTime();
            default -> bounds.start();
        };
    }

    private URI containerOrchestratorUrl() {
        return AgentOrchestratorUrl.choose(task.orchestratorUrl(), services.settings().orchestratorUrl());
    }

    private Instant now() {
        return services.clock().instant();
    }
}
