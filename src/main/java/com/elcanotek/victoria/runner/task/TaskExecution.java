package com.elcanotek.victoria.runner.task;

import java.net.URI;
import java.time.Duration;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.container.ContainerInfo;
import com.elcanotek.victoria.runner.container.ContainerState;
import com.elcanotek.victoria.runner.container.ContainerSupervisor;
import com.elcanotek.victoria.runner.logs.LogFitter;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics.TaskOutcome;
import com.elcanotek.victoria.runner.logs.SessionLogReader;
import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.node.Registration;
import com.elcanotek.victoria.runner.orchestrator.LogSubmission;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.StatusUpdate;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.orchestrator.TaskStatus;
import com.elcanotek.victoria.runner.task.JournalEntry.Stage;

/**
 * One task from claim to final report: {@code running} first (the server serves files only to
 * running tasks), files, container, exit, session log, then the final status. Each step is
 * journaled before the next. A 403 at any point means the task is no longer ours: the container
 * is stopped and nothing more is reported.
 */
public class TaskExecution implements TaskHandler {

    private static final Logger LOG = Logger.getLogger(TaskExecution.class);

    /** @param logsMaxBytes budget of a {@code /logs} body; halved after each 413 */
    public record Settings(Path victoriaHome, URI orchestratorUrl, int logsMaxBytes) {
    }

    private final Orchestrator orchestrator;
    private final Registration registration;
    private final TaskJournal journal;
    private final TaskFiles files;
    private final ContainerSupervisor supervisor;
    private final SessionLogReader sessions;
    private final LogFitter fitter;
    private final Settings settings;
    private final Clock clock;
    private final RunnerMetrics metrics;
    /** Tasks not yet finally reported, with their container once it exists. */
    private final Map<String, Optional<String>> active = new ConcurrentHashMap<>();
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    /** Threads blocked on a container's exit: the ones a shutdown may abandon safely. */
    private final Map<String, Thread> waiting = new ConcurrentHashMap<>();
    private volatile boolean abandoning;
    /** Set when the runner stops its tasks on shutdown: their outcome is this error. */
    private volatile String shutdownMessage;

    public TaskExecution(Orchestrator orchestrator, Registration registration, TaskJournal journal, TaskFiles files,
            ContainerSupervisor supervisor, SessionLogReader sessions, LogFitter fitter, Settings settings, Clock clock,
            RunnerMetrics metrics) {
        this.orchestrator = orchestrator;
        this.registration = registration;
        this.journal = journal;
        this.files = files;
        this.supervisor = supervisor;
        this.sessions = sessions;
        this.fitter = fitter;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void handle(TaskAssignment task) {
        String id = task.taskId();
        active.put(id, Optional.empty());
        String container = null;
        try {
            if (!report(task, TaskStatus.RUNNING, "accepted by the runner")) {
                return;
            }
            boolean hasFiles = !task.files().isEmpty();
            if (hasFiles) {
                files.download(task, settings.victoriaHome());
                journal.update(id, e -> e.at(Stage.FILES_READY, clock.instant()));
            }
            if (cancelled.contains(id)) {
                return;
            }
            if (shutdownMessage != null) {
                throw new TaskFailure(shutdownMessage);
            }
            if (abandoning) {
                // Journaled as not started: the next start reports it.
                return;
            }
            Credentials credentials = registration.current().orElseThrow(() -> new TaskFailure("the runner is not registered"));
            Instant started = clock.instant();
            container = supervisor.start(task, credentials.nodeId(), credentials.apiKey(), containerOrchestratorUrl(task),
                    hasFiles);
            String name = container;
            JournalEntry entry = journal.update(id, e -> e.started(name, started));
            metrics.claimToStart(Duration.between(entry.claimedAt(), clock.instant()));
            supervise(task, container, started);
        } catch (TaskFailure e) {
            metrics.finished(TaskOutcome.FAILED);
            LOG.errorf("failed: %s", e.getMessage());
            report(task, TaskStatus.ERROR, e.getMessage());
        } catch (InterruptedException e) {
            // The runner is shutting down; the container runs on and the journal knows it.
            Thread.currentThread().interrupt();
            container = null;
        } finally {
            close(id, container);
        }
    }

    @Override
    public void resume(JournalEntry entry) {
        TaskAssignment task = entry.task();
        String id = task.taskId();
        active.put(id, Optional.empty());
        Optional<ContainerInfo> found = supervisor.find(id);
        String container = found.map(ContainerInfo::name).orElse(null);
        try {
            switch (entry.stage()) {
                case CLAIMED, FILES_READY, CONTAINER_STARTED -> resumeContainer(entry, found);
                case EXITED -> deliver(task, decidedStatus(entry), entry.finalMessage());
                case LOGS_SENT -> report(task, decidedStatus(entry), entry.finalMessage());
                case REPORTED -> LOG.debug("already reported");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            container = null;
        } finally {
            close(id, container);
        }
    }

    private void resumeContainer(JournalEntry entry, Optional<ContainerInfo> found) throws InterruptedException {
        TaskAssignment task = entry.task();
        ContainerState state = found.map(ContainerInfo::state).orElse(null);
        if (state == ContainerState.RUNNING) {
            Instant started = Optional.ofNullable(found.get().startedAt())
                    .orElse(Optional.ofNullable(entry.containerStartedAt()).orElse(entry.claimedAt()));
            LOG.infof("container %s still running after the restart; supervising it again", found.get().name());
            if (entry.stage() != Stage.CONTAINER_STARTED) {
                journal.update(task.taskId(), e -> e.started(found.get().name(), started));
            }
            supervise(task, found.get().name(), started);
        } else if (state == ContainerState.EXITED && found.get().exitCode() != null) {
            LOG.infof("container %s exited with code %d while the runner was down", found.get().name(), found.get().exitCode());
            Instant deadline = deadline(task, entry.containerStartedAt() != null ? entry.containerStartedAt() : entry.claimedAt());
            boolean timedOut = found.get().finishedAt() != null && found.get().finishedAt().isAfter(deadline);
            finish(task, new ContainerSupervisor.Exit(found.get().exitCode(), timedOut));
        } else if (entry.stage() == Stage.CONTAINER_STARTED) {
            metrics.finished(TaskOutcome.FAILED);
            report(task, TaskStatus.ERROR, "the container was lost while the runner was down");
        } else {
            metrics.finished(TaskOutcome.FAILED);
            report(task, TaskStatus.ERROR, "runner restarted before the container started");
        }
    }

    /** Waits for the container's exit (stopping it at the deadline), then reports. */
    private void supervise(TaskAssignment task, String container, Instant started) throws InterruptedException {
        String id = task.taskId();
        active.put(id, Optional.of(container));
        // Checked after the container is published: a cancel or a stopping shutdown that looked
        // before it did not see it.
        if (cancelled.contains(id) || shutdownMessage != null) {
            supervisor.stop(container);
        }
        ContainerSupervisor.Exit exit;
        waiting.put(id, Thread.currentThread());
        try {
            if (abandoning) {
                throw new InterruptedException("the runner is stopping");
            }
            exit = supervisor.await(container, deadline(task, started));
        } finally {
            waiting.remove(id);
        }
        if (!cancelled.contains(id)) {
            finish(task, exit);
        }
    }

    /**
     * Shutdown leaving containers to run: stops waiting for them (the journal knows them, the next
     * start re-adopts them); tasks already reporting go on.
     */
    public void abandonWaits() {
        // Set first: a task that reaches its wait after this never starts waiting.
        abandoning = true;
        waiting.values().forEach(Thread::interrupt);
    }

    /** Shutdown stopping containers: every running task is stopped and reported as an error. */
    public void stopAll(String message) {
        // Set first: a task that publishes its container after this stops it itself.
        shutdownMessage = message;
        active.values().forEach(container -> container.ifPresent(supervisor::stop));
    }

    private static Instant deadline(TaskAssignment task, Instant started) {
        return started.plusSeconds(task.effectiveTimeoutSeconds());
    }

    /** The task's story on this runner is over (or paused by shutdown): clean up what is settled. */
    private void close(String id, String container) {
        active.remove(id);
        boolean wasCancelled = cancelled.remove(id);
        boolean reported = journal.get(id).map(e -> e.stage() == Stage.REPORTED).orElse(true);
        if (container != null && (wasCancelled || reported)) {
            supervisor.remove(container);
        }
        if (wasCancelled || reported) {
            journal.forget(id);
        }
    }

    /** Tasks whose leases the runner still needs. */
    public Set<String> activeTasks() {
        return Set.copyOf(active.keySet());
    }

    /** The orchestrator took the task away (admin cancel or lease lost): stop its container, report nothing more. */
    public void cancel(String taskId) {
        if (!active.containsKey(taskId) || !cancelled.add(taskId)) {
            return;
        }
        metrics.finished(TaskOutcome.CANCELLED);
        LOG.warn("no longer assigned to this node (cancelled or lease lost); stopping it");
        Optional<String> container = active.getOrDefault(taskId, Optional.empty());
        container.ifPresent(supervisor::stop);
    }

    private void finish(TaskAssignment task, ContainerSupervisor.Exit exit) {
        Instant exited = clock.instant();
        TaskStatus status;
        String message;
        TaskOutcome outcome;
        if (shutdownMessage != null) {
            status = TaskStatus.ERROR;
            message = shutdownMessage;
            outcome = TaskOutcome.FAILED;
        } else if (exit.timedOut()) {
            status = TaskStatus.ERROR;
            message = "timed out after " + task.effectiveTimeoutSeconds() + " s";
            outcome = TaskOutcome.TIMED_OUT;
        } else if (exit.code() == 0) {
            status = TaskStatus.SUCCESS;
            message = "completed";
            outcome = TaskOutcome.SUCCEEDED;
        } else {
            status = TaskStatus.ERROR;
            message = "container exited with code " + exit.code();
            outcome = TaskOutcome.FAILED;
        }
        metrics.finished(outcome);
        LOG.infof("container exited with code %d: %s", exit.code(), status.wire());
        journal.update(task.taskId(), e -> e.exited(exit.code(), status.wire(), message, clock.instant()));
        if (deliver(task, status, message)) {
            metrics.exitToReport(Duration.between(exited, clock.instant()));
        }
    }

    /**
     * The session log, then the final status: a final status ends the node's right to submit logs.
     * A log that cannot be sent never holds the status back; if the status cannot be sent either
     * (orchestrator down), the journal still says EXITED and a later reconcile sends both.
     *
     * @return whether the orchestrator took the final status
     */
    private boolean deliver(TaskAssignment task, TaskStatus status, String message) {
        LogOutcome logs = sendLogs(task);
        if (logs == LogOutcome.NOT_OURS) {
            return false;
        }
        if (logs != LogOutcome.FAILED) {
            journal.update(task.taskId(), e -> e.at(Stage.LOGS_SENT, clock.instant()));
        }
        return report(task, status, message);
    }

    private static TaskStatus decidedStatus(JournalEntry entry) {
        return TaskStatus.valueOf(entry.finalStatus().toUpperCase(java.util.Locale.ROOT));
    }

    private enum LogOutcome {
        SENT, NOTHING_TO_SEND, FAILED, NOT_OURS
    }

    private LogOutcome sendLogs(TaskAssignment task) {
        int budget = settings.logsMaxBytes();
        Optional<LogSubmission> read = sessions.latest(settings.victoriaHome(), task.taskId(), budget);
        if (read.isEmpty()) {
            LOG.info("no agent session found to submit");
            return LogOutcome.NOTHING_TO_SEND;
        }
        LogSubmission submission = read.get();
        while (true) {
            try {
                orchestrator.logs(submission);
                LOG.infof("session log submitted (%d bytes)", fitter.sizeOf(submission));
                return LogOutcome.SENT;
            } catch (OrchestratorException e) {
                if (e.isTooLarge() && budget > 1024) {
                    budget = Math.min(budget, fitter.sizeOf(submission)) / 2;
                    LOG.warnf("session log too large for the orchestrator; shrinking to %d bytes", budget);
                    // Fitting what was sent gives what fitting the whole session would: it holds the newest
                    // messages (or the newest one's tail), and a smaller budget keeps fewer of them (or less of it).
                    submission = fitter.fit(submission, budget);
                    continue;
                }
                if (e.isNotAssigned() || e.isNotFound()) {
                    cancel(task.taskId());
                    return LogOutcome.NOT_OURS;
                }
                LOG.errorf("session log not submitted: %s", e.getMessage());
                return e.isTransient() ? LogOutcome.FAILED : LogOutcome.NOTHING_TO_SEND;
            }
        }
    }

    /** @return false when the orchestrator says the task is not ours (any more) */
    private boolean report(TaskAssignment task, TaskStatus status, String message) {
        try {
            orchestrator.status(StatusUpdate.of(task.taskId(), status, message));
            if (status.isFinal()) {
                journal.update(task.taskId(), e -> e.decided(status.wire(), message, clock.instant()).at(Stage.REPORTED, clock.instant()));
                LOG.infof("reported %s: %s", status.wire(), message);
            }
            return true;
        } catch (OrchestratorException e) {
            if (e.isNotAssigned() || e.isNotFound()) {
                cancel(task.taskId());
                return false;
            }
            LOG.errorf("could not report %s: %s", status.wire(), e.getMessage());
            return !status.isFinal();
        }
    }

    private URI containerOrchestratorUrl(TaskAssignment task) {
        String fromTask = task.orchestratorUrl();
        return fromTask == null || fromTask.isBlank() ? settings.orchestratorUrl() : URI.create(fromTask.strip());
    }
}
