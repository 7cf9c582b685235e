package com.elcanotek.victoria.runner.task;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.container.ContainerException;
import com.elcanotek.victoria.runner.container.ContainerGone;
import com.elcanotek.victoria.runner.container.ContainerInfo;
import com.elcanotek.victoria.runner.container.ContainerState;
import com.elcanotek.victoria.runner.container.ContainerSupervisor;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.TaskOutcome;
import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.orchestrator.Backoff;
import com.elcanotek.victoria.runner.orchestrator.LogSubmission;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.StatusUpdate;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.orchestrator.TaskStatus;
import com.elcanotek.victoria.runner.task.JournalEntry.Stage;

/**
 * One held task's whole life on this runner, and the only owner of its state: its stage (journaled
 * before each next step), its container, its lease (renewed on a timer of its own), its
 * cancellation, and its pending results. From claim: {@code running} (before the files, which the server
 * serves only to running tasks; without files, right after the container started), files, container, exit;
 * then the session log and only after it the final status
 * (a final status ends the node's right to submit logs), each retried on this task's own backoff for
 * as long as the lease can still be ours. A 403 or 404 at any point means the task is no longer ours:
 * its container is stopped and nothing more is reported.
 *
 * <p>{@link #run()} runs on a thread of its own; {@link #lose()}, {@link #abandon()} and
 * {@link #stopForShutdown} may be called from any thread.
 */
public final class TaskRun {

    /** Below this a {@code /logs} body holds hardly more than the session's header: a 413 then is final. */
    static final int SMALLEST_LOG_BODY = 1024;
    /** Longer than any read timeout an operator sets in earnest. */
    private static final Duration RENEWAL_IN_FLIGHT_MAX = Duration.ofSeconds(120);

    private static final Logger LOG = Logger.getLogger(TaskRun.class);

    private enum Shutdown {
        NONE, LEAVE, STOP
    }

    /** What one try at a delivery step led to. */
    private enum Step {
        /** the step is settled: go on to the next */
        DONE,
        /** try again at once (a smaller log body, a new key) */
        AGAIN,
        /** the orchestrator could not take it now: try again after a pause */
        LATER,
        /** the task is not ours any more, or nothing more can be done for it */
        OVER
    }

    private final TaskServices services;
    private final TaskAssignment task;
    private final boolean resumed;
    private final AtomicBoolean lost = new AtomicBoolean();
    // guarded by this
    private TaskRun successor;
    private final AtomicBoolean renewing = new AtomicBoolean();
    // guarded by this
    private JournalEntry entry;
    private ScheduledFuture<?> renewal;
    private boolean ended;

    private volatile String container;
    private volatile boolean finalReportStarted;
    private volatile Shutdown shutdown = Shutdown.NONE;
    private volatile String shutdownMessage;
    private volatile Thread waitingForExit;

    // the worker thread's own
    private LogSubmission pendingLog;
    private int logBudget;
    private Instant exitedAt;
    private OrchestratorException lastFailure;

    private TaskRun(TaskServices services, JournalEntry entry, boolean resumed) {
        this.services = services;
        this.task = entry.task();
        this.entry = entry;
        this.resumed = resumed;
        this.container = entry.container();
        // Only the final status is left (maybe taken already, its answer lost): a renewal could only be refused.
        this.finalReportStarted = entry.stage().compareTo(Stage.LOGS_SENT) >= 0;
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

    /** A task held before a restart, taken up where its journal entry says it was. */
    public static TaskRun resumed(TaskServices services, JournalEntry entry) {
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

    /** Whether the runner still needs this task's lease renewed: a heartbeat may name it. */
    public boolean renewsLease() {
        return !finalReportStarted && !lost.get() && !isEnded();
    }

    /**
     * The server handed this held task out again (its lease expired meanwhile, and it was given back to us): that
     * claim renewed the lease, so a run that still has the task goes on with it.
     *
     * @return false when this run has lost the task already (its container is being stopped): {@code claim} is then
     *         a task of its own, kept here as this run's {@link #successor} for a new run once this one has ended
     */
    public synchronized boolean claimedAgain(TaskRun claim) {
        if (lost.get()) {
            if (successor == null) {
                successor = claim;
            }
            return false;
        }
        confirmLease();
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

    /** The task's story on this runner, to its end or until a shutdown pauses it (the journal keeps it). */
    public void run() {
        TaskLogContext.run(taskId(), () -> {
            try {
                if (resumed) {
                    LOG.infof("resuming from the journal (%s)", stage());
                }
                if (!finalReportStarted) {
                    startRenewing(resumed ? Duration.ZERO : services.settings().leaseRenewal().get());
                }
                proceed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.info("left for the next start of the runner");
            } catch (RuntimeException e) {
                // Still journaled: the next reconcile takes the task up again.
                LOG.error("ended unexpectedly; the next reconcile takes it up again", e);
            } finally {
                close();
            }
        });
    }

    private void proceed() throws InterruptedException {
        switch (stage()) {
            case CLAIMED, FILES_READY -> {
                if (resumed) {
                    resumeContainer();
                } else {
                    start();
                }
            }
            case CONTAINER_STARTED -> resumeContainer();
            case EXITED, LOGS_SENT -> deliver();
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
                services.files().download(task, services.settings().victoriaHome());
                journal(e -> e.at(Stage.FILES_READY, now()));
            }
            if (lost.get()) {
                return;
            }
            if (shutdown == Shutdown.STOP) {
                throw new TaskFailure(shutdownMessage);
            }
            if (shutdown == Shutdown.LEAVE) {
                // Journaled as not started: the next start takes it up.
                return;
            }
            Credentials credentials = services.registration().current()
                    .orElseThrow(() -> new TaskFailure("the runner is not registered"));
            Instant started = now();
            String name = services.supervisor().start(task, credentials.nodeId(), credentials.apiKey(),
                    containerOrchestratorUrl(), hasFiles);
            container = name;
            services.breaker().started();
            JournalEntry startedEntry = journal(e -> e.started(name, started));
            services.metrics().claimToStart(Duration.between(startedEntry.claimedAt(), now()));
            // Without files nothing waited for it: reported once the agent is on its way (the claim's lease holds
            // until then). Refused, the task is lost and supervise stops the container.
            if (hasFiles || reportRunning()) {
                recordImage(name);
            }
            supervise(started);
        } catch (TaskFailure e) {
            if (Thread.currentThread().isInterrupted() || shutdown == Shutdown.LEAVE) {
                // Cut short by the runner's stop, not failed: the journal keeps it for the next start to resume.
                throw new InterruptedException("the runner is stopping: " + e.getMessage());
            }
            if (e.isOfHost()) {
                services.breaker().failed(e.getMessage());
            }
            fail(e.getMessage());
        }
    }

    /**
     * Which build of the agent runs the task, for the operator: journaled (so {@code status} shows it) and said in
     * a {@code running} report. One try: the next renewal renews the lease anyway.
     */
    private void recordImage(String name) {
        Optional<String> image = services.supervisor().imageOf(name);
        if (image.isEmpty()) {
            return;
        }
        journal(e -> e.ranOn(image.get()));
        LOG.infof("container %s runs image %s", name, image.get());
        try {
            services.orchestrator().statusOnce(StatusUpdate.of(taskId(), TaskStatus.RUNNING,
                    "container started on image " + image.get()));
            confirmLease();
        } catch (OrchestratorException e) {
            if (e.isNotAssigned() || e.isNotFound()) {
                lose();
            }
        }
    }

    /** @return false when the orchestrator says the task is not ours (any more) */
    private boolean reportRunning() {
        try {
            services.orchestrator().status(StatusUpdate.of(taskId(), TaskStatus.RUNNING, "accepted by the runner"));
            confirmLease();
            return true;
        } catch (OrchestratorException e) {
            if (e.isNotAssigned() || e.isNotFound()) {
                lose();
                return false;
            }
            // The claim gave the lease; files may be refused without this report, which fails the task clearly.
            LOG.errorf("could not report running: %s", e.getMessage());
            return true;
        }
    }

    private void resumeContainer() throws InterruptedException {
        Optional<ContainerInfo> found = whileEngineFails("look for the container", () -> services.supervisor().find(taskId()));
        ContainerState state = found.map(ContainerInfo::state).orElse(null);
        if (state == ContainerState.RUNNING) {
            ContainerInfo info = found.get();
            container = info.name();
            JournalEntry known = currentEntry();
            Instant started = Optional.ofNullable(info.startedAt())
                    .orElse(Optional.ofNullable(known.containerStartedAt()).orElse(known.claimedAt()));
            LOG.infof("container %s still running after the restart; supervising it again", info.name());
            if (known.stage() != Stage.CONTAINER_STARTED) {
                journal(e -> e.started(info.name(), started));
            }
            supervise(started);
        } else if (state == ContainerState.EXITED && found.get().exitCode() != null) {
            ContainerInfo info = found.get();
            container = info.name();
            LOG.infof("container %s exited with code %d while the runner was down", info.name(), info.exitCode());
            JournalEntry known = currentEntry();
            Instant deadline = deadline(known.containerStartedAt() != null ? known.containerStartedAt() : known.claimedAt());
            boolean timedOut = info.finishedAt() != null && info.finishedAt().isAfter(deadline);
            finish(new ContainerSupervisor.Exit(info.exitCode(), timedOut,
                    timedOut ? null : services.supervisor().outOfMemory(info.name(), info.exitCode())));
        } else if (stage() == Stage.CONTAINER_STARTED) {
            fail("the container was lost while the runner was down");
        } else if (leaseCanBeOurs()) {
            // Nothing of it ran: start it again from the top (files resume where the download stopped).
            LOG.info("the runner restarted before the container started; starting the task again");
            start();
        } else {
            fail("runner restarted before the container started, and the lease has expired since");
        }
    }

    /** Waits for the container's exit (stopping it at the deadline), then delivers the results. */
    private void supervise(Instant started) throws InterruptedException {
        String name = container;
        // Checked after the container is published: a cancel or a stopping shutdown that looked before it did not see it.
        if (lost.get() || shutdown == Shutdown.STOP) {
            stopContainer(name);
        }
        ContainerSupervisor.Exit exit;
        try {
            exit = whileEngineFails("wait for the container's exit", () -> awaitExit(name, started));
        } catch (ContainerGone e) {
            if (!lost.get()) {
                fail("the container ended without an exit code: " + e.getMessage());
            }
            return;
        }
        if (!lost.get()) {
            finish(exit);
        }
    }

    private ContainerSupervisor.Exit awaitExit(String name, Instant started) throws InterruptedException {
        waitingForExit = Thread.currentThread();
        try {
            if (shutdown == Shutdown.LEAVE) {
                throw new InterruptedException("the runner is stopping");
            }
            return services.supervisor().await(name, deadline(started));
        } finally {
            waitingForExit = null;
        }
    }

    /**
     * An engine that does not answer (restarting, overloaded) says nothing about the task: the task stays
     * held, its lease renewed, and the engine is asked again after a pause.
     */
    private <T> T whileEngineFails(String what, Callable<T> call) throws InterruptedException {
        Backoff backoff = new Backoff(services.settings().retry());
        while (true) {
            try {
                return call.call();
            } catch (ContainerGone | InterruptedException e) {
                throw e;
            } catch (ContainerException e) {
                if (shutdown == Shutdown.LEAVE) {
                    throw new InterruptedException("the runner is stopping");
                }
                long delay = backoff.nextDelayInMillis(e);
                LOG.warnf("cannot %s (%s); the task stays held, asking again in %d ms", what, e.getMessage(), delay);
                Thread.sleep(delay);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private Instant deadline(Instant started) {
        return started.plusSeconds(task.effectiveTimeoutSeconds());
    }

    private void finish(ContainerSupervisor.Exit exit) throws InterruptedException {
        exitedAt = now();
        TaskStatus status;
        String message;
        TaskOutcome outcome;
        if (shutdown == Shutdown.STOP) {
            status = TaskStatus.ERROR;
            message = shutdownMessage;
            outcome = TaskOutcome.FAILED;
        } else if (exit.timedOut()) {
            status = TaskStatus.ERROR;
            message = "timed out after " + task.effectiveTimeoutSeconds() + " s";
            outcome = TaskOutcome.TIMED_OUT;
        } else if (exit.outOfMemory() != null) {
            status = TaskStatus.ERROR;
            message = exit.outOfMemory();
            outcome = TaskOutcome.FAILED;
        } else if (exit.code() == 0) {
            status = TaskStatus.SUCCESS;
            message = "completed";
            outcome = TaskOutcome.SUCCEEDED;
        } else {
            status = TaskStatus.ERROR;
            message = "container exited with code " + exit.code();
            outcome = TaskOutcome.FAILED;
        }
        services.metrics().finished(outcome);
        LOG.infof("container exited with code %d: %s", exit.code(), status.wire());
        journal(e -> e.exited(exit.code(), status.wire(), message, now()));
        deliver();
    }

    /**
     * The task cannot go on: its outcome is an error with this message, delivered like any other. A task whose
     * container never existed has no session: what its folder holds cannot be its own.
     */
    private void fail(String message) throws InterruptedException {
        services.metrics().finished(TaskOutcome.FAILED);
        LOG.errorf("failed: %s", message);
        boolean ran = container != null;
        journal(e -> {
            JournalEntry failed = e.exited(e.exitCode(), TaskStatus.ERROR.wire(), message, now());
            return ran ? failed : failed.at(Stage.LOGS_SENT, now());
        });
        deliver();
    }

    /**
     * The session log, then the final status, each tried until the orchestrator takes it, answers that
     * the task is not ours, or the lease has certainly expired; pauses grow exponentially (with jitter,
     * capped) and start over after each step that succeeds. Through an outage longer than the lease the tries go
     * on: the lease is the orchestrator's to end, and one that was down too sweeps expired leases only some time
     * after it is back, so results tried at once may still be taken; a 403 then says they are not.
     */
    private void deliver() throws InterruptedException {
        Backoff backoff = new Backoff(services.settings().retry());
        while (!lost.get() && stage() != Stage.REPORTED) {
            Step step = stage() == Stage.EXITED ? submitLogs() : reportFinal();
            switch (step) {
                case DONE -> backoff = new Backoff(services.settings().retry());
                case AGAIN -> {
                    // at once
                }
                case OVER -> {
                    return;
                }
                case LATER -> {
                    if (!leaseCanBeOurs() && answeredSinceLeaseEnd()) {
                        LOG.errorf("results not delivered: the lease was last confirmed at %s and has expired since,"
                                + " and the orchestrator, which answers other calls, does not take them; it gives the task"
                                + " to another node", currentEntry().leaseConfirmed());
                        lost.set(true);
                        return;
                    }
                    long delay = backoff.nextDelayInMillis(lastFailure);
                    LOG.logf(services.orchestrator().levelOf(lastFailure), "trying again in %d ms", delay);
                    Thread.sleep(delay);
                }
            }
        }
    }

    private boolean leaseCanBeOurs() {
        return now().isBefore(leaseEnd());
    }

    private Instant leaseEnd() {
        return currentEntry().leaseConfirmed().plus(services.settings().leaseHold());
    }

    /** Whether the orchestrator took some call after the lease certainly ended: it is not (only) an outage then. */
    private boolean answeredSinceLeaseEnd() {
        Instant end = leaseEnd();
        return services.orchestrator().lastSuccess().filter(at -> at.isAfter(end)).isPresent();
    }

    private Step submitLogs() {
        if (pendingLog == null) {
            logBudget = services.settings().logsMaxBytes();
            Optional<LogSubmission> read = services.sessions().latest(sessionDir(), taskId(), logBudget);
            if (read.isEmpty()) {
                LOG.info("no agent session to submit");
                journal(e -> e.at(Stage.LOGS_SENT, now()));
                return Step.DONE;
            }
            pendingLog = read.get();
        }
        Optional<Credentials> key = services.registration().current();
        try {
            services.orchestrator().logs(pendingLog);
            LOG.infof("session log submitted (%d bytes)", services.fitter().sizeOf(pendingLog));
            pendingLog = null;
            journal(e -> e.at(Stage.LOGS_SENT, now()));
            return Step.DONE;
        } catch (OrchestratorException e) {
            if (e.isTooLarge()) {
                return shrinkLog();
            }
            Step step = afterRefusal(e, key, "session log not submitted");
            if (step == Step.OVER && !lost.get()) {
                // Refused for good (e.g. 400): the final status still goes, and says so.
                return logsSettledWithout("session log refused: " + e.getMessage());
            }
            return step;
        }
    }

    private Step shrinkLog() {
        int size = services.fitter().sizeOf(pendingLog);
        if (Math.min(logBudget, size) <= SMALLEST_LOG_BODY) {
            return logsSettledWithout("session log not submitted: the orchestrator refused even " + size
                    + " bytes as too large");
        }
        logBudget = Math.min(logBudget, size) / 2;
        LOG.warnf("session log too large for the orchestrator; shrinking to %d bytes", logBudget);
        // Fitting what was sent gives what fitting the whole session would: it holds the newest
        // messages (or the newest one's tail), and a smaller budget keeps fewer of them (or less of it).
        pendingLog = services.fitter().fit(pendingLog, logBudget);
        return Step.AGAIN;
    }

    private Step logsSettledWithout(String why) {
        LOG.error(why);
        pendingLog = null;
        journal(e -> e.decided(e.finalStatus(), e.finalMessage() + " (" + why + ")", now()).at(Stage.LOGS_SENT, now()));
        return Step.DONE;
    }

    private Step reportFinal() {
        JournalEntry decided = currentEntry();
        TaskStatus status = TaskStatus.valueOf(decided.finalStatus().toUpperCase(Locale.ROOT));
        // From here on a renewal's 403 would only mean that the final status was taken.
        finalReportStarted = true;
        stopRenewing();
        awaitRenewalInFlight();
        Optional<Credentials> key = services.registration().current();
        try {
            services.orchestrator().status(StatusUpdate.of(taskId(), status, decided.finalMessage()));
            journal(e -> e.at(Stage.REPORTED, now()));
            LOG.infof("reported %s: %s", status.wire(), decided.finalMessage());
            if (exitedAt != null) {
                services.metrics().exitToReport(Duration.between(exitedAt, now()));
            }
            return Step.DONE;
        } catch (OrchestratorException e) {
            Step step = afterRefusal(e, key, "could not report " + status.wire());
            if (step == Step.OVER && !lost.get()) {
                LOG.errorf("final status refused for good (%s); the task is left to the orchestrator", e.getMessage());
                lost.set(true);
            }
            return step;
        }
    }

    /**
     * A renewal sent just before the final status must not reach the server after it (an orchestrator could take
     * it as the task running again): its answer is awaited, as long as one read timeout can take.
     */
    private void awaitRenewalInFlight() {
        long until = System.nanoTime() + RENEWAL_IN_FLIGHT_MAX.toNanos();
        while (renewing.get() && System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** What a failed delivery try leads to; a 403/404 ends the task's story here. */
    private Step afterRefusal(OrchestratorException e, Optional<Credentials> keyUsed, String what) {
        lastFailure = e;
        if (e.isNotAssigned() || e.isNotFound()) {
            lose();
            return Step.OVER;
        }
        if (e.isUnauthorized()) {
            LOG.warnf("%s (%s): registering again", what, e.getMessage());
            return renewRegistration(keyUsed, e) ? Step.AGAIN : Step.LATER;
        }
        LOG.logf(services.orchestrator().levelOf(e), "%s: %s", what, e.getMessage());
        return e.isTransient() || e.isMalformedAnswer() ? Step.LATER : Step.OVER;
    }

    /** The orchestrator took the task away (admin cancel or lease lost): stop its container, report nothing more. */
    public void lose() {
        if (!lost.compareAndSet(false, true)) {
            return;
        }
        services.metrics().finished(TaskOutcome.CANCELLED);
        TaskLogContext.run(taskId(), () -> LOG.warn("no longer assigned to this node (cancelled or lease lost); stopping it"));
        String name = container;
        if (name != null) {
            stopContainer(name);
        }
    }

    /** In the background, and again while the engine fails, until the container is gone or this run's story is over. */
    private void stopContainer(String name) {
        TaskLogContext.run(taskId(), () -> services.supervisor().stopUntilGone(name, () -> !isEnded()));
    }

    /** Shutdown leaving containers to run: stop waiting for this one; results already due are still delivered. */
    public void abandon() {
        shutdown = Shutdown.LEAVE;
        Thread waiting = waitingForExit;
        if (waiting != null) {
            waiting.interrupt();
        }
    }

    /** Shutdown stopping containers: this one is stopped and the task reported as an error with {@code message}. */
    public void stopForShutdown(String message) {
        shutdownMessage = message;
        shutdown = Shutdown.STOP;
        String name = container;
        if (name != null) {
            // In the background: a shutdown stops all containers at once, not one grace period after another.
            stopContainer(name);
        }
    }

    private synchronized void startRenewing(Duration firstDelay) {
        long period = services.settings().leaseRenewal().get().toMillis();
        renewal = services.timers().scheduleAtFixedRate(() -> {
            try {
                services.renewals().execute(this::renewLease);
            } catch (RejectedExecutionException stopping) {
                // the runner is shutting down
            }
        }, firstDelay.toMillis(), period, TimeUnit.MILLISECONDS);
    }

    private synchronized void stopRenewing() {
        if (renewal != null) {
            renewal.cancel(false);
        }
    }

    /**
     * One try per period: a slow answer is not retried within the period (the next period is the retry), and
     * a try still waiting for its answer makes the next one skip.
     */
    private void renewLease() {
        if (!renewsLease() || !renewing.compareAndSet(false, true)) {
            return;
        }
        TaskLogContext.run(taskId(), () -> {
            Optional<Credentials> key = services.registration().current();
            try {
                services.orchestrator().statusOnce(StatusUpdate.of(taskId(), TaskStatus.RUNNING, null));
                confirmLease();
            } catch (OrchestratorException e) {
                if (finalReportStarted) {
                    return;
                }
                if (e.isNotAssigned() || e.isNotFound()) {
                    lose();
                } else if (e.isUnauthorized()) {
                    LOG.warnf("lease renewal refused (%s): registering again", e.getMessage());
                    renewRegistration(key, e);
                } else {
                    LOG.logf(services.orchestrator().levelOf(e), "lease renewal failed: %s", e.getMessage());
                }
            } finally {
                renewing.set(false);
            }
        });
    }

    /** @return whether the runner is registered anew; a failed try is logged, the caller's next try is the retry */
    private boolean renewRegistration(Optional<Credentials> key, OrchestratorException refusal) {
        try {
            services.registration().renewUnlessRenewed(key, refusal.getMessage());
            return true;
        } catch (RuntimeException failure) {
            LOG.warnf("registering again failed: %s", failure.getMessage());
            return false;
        }
    }

    private void confirmLease() {
        Instant at = now();
        journal(e -> e.leaseConfirmed(at));
    }

    /**
     * Applies {@code change} to the task's entry and writes it. A write that fails is logged and the task goes on:
     * only a restart would miss the step.
     */
    private synchronized JournalEntry journal(UnaryOperator<JournalEntry> change) {
        entry = change.apply(entry);
        if (!ended) {
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

    /** The story on this runner is over or paused: what is settled is cleaned up, the rest stays journaled. */
    private void close() {
        boolean over;
        synchronized (this) {
            ended = true;
            over = lost.get() || entry.stage() == Stage.REPORTED;
        }
        stopRenewing();
        if (!over) {
            return;
        }
        String name = container;
        if (name != null) {
            services.supervisor().remove(name);
        }
        services.journal().forget(taskId());
    }

    private Path sessionDir() {
        return ContainerSupervisor.sessionDir(services.settings().victoriaHome(), task);
    }

    private URI containerOrchestratorUrl() {
        return AgentOrchestratorUrl.choose(task.orchestratorUrl(), services.settings().orchestratorUrl());
    }

    private Instant now() {
        return services.clock().instant();
    }
}
