package com.elcanotek.victoria.runner.task;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.logs.LogMasking;
import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.orchestrator.Backoff;
import com.elcanotek.victoria.runner.orchestrator.LogSubmission;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.StatusUpdate;
import com.elcanotek.victoria.runner.orchestrator.TaskStatus;

/**
 * Delivers one task's results: its agent's session log, then its final status (a final status ends the node's right
 * to submit logs). Each is tried until the orchestrator takes it or says the task is not ours, with pauses that grow
 * (with jitter, capped) and start over after each step that succeeds, and within a bound: the log within the delivery
 * budget, after which the final status goes without it and says why; the final status while the lease can still be
 * ours. Through an outage the final status is tried on past the lease: an orchestrator that was down sweeps expired
 * leases only some time after it is back, and a 403 then says the results are not taken.
 *
 * <p>Confined to the task's worker thread; it holds no lock.
 */
final class ResultDelivery {

    /** How a delivery step ended. */
    enum Settled {
        /** taken, or settled without it (the result says why) */
        DONE,
        /** the orchestrator says the task is not this node's */
        NOT_OURS,
        /** cannot be delivered, and the lease has certainly passed: the orchestrator gives the task to another node */
        GIVEN_UP
    }

    /** @param missing why the session log was not delivered; null when it was, or when there was none */
    record LogResult(Settled settled, String missing) {
    }

    /** Below this a {@code /logs} body holds hardly more than the session's header: a 413 then is final. */
    static final int SMALLEST_LOG_BODY = 1024;

    private static final Logger LOG = Logger.getLogger(ResultDelivery.class);

    private final String taskId;
    private final TaskServices services;
    private final TaskLease lease;
    private final BooleanSupplier lost;

    /** @param lost whether the task was found not to be ours meanwhile (by a renewal, say): nothing more is sent then */
    ResultDelivery(String taskId, TaskServices services, TaskLease lease, BooleanSupplier lost) {
        this.taskId = taskId;
        this.services = services;
        this.lease = lease;
        this.lost = lost;
    }

    /**
     * The newest top-level session in {@code sessionDir}, fitted to the size limit and masked (which never makes it
     * larger), tried until {@code budgetEnd}.
     */
    LogResult submitLog(Path sessionDir, long budgetEndNanos) throws InterruptedException {
        int budget = services.settings().logsMaxBytes();
        Optional<LogSubmission> read = services.sessions().latest(sessionDir, taskId, budget);
        if (read.isEmpty()) {
            LOG.info("no agent session to submit");
            return new LogResult(Settled.DONE, null);
        }
        LogSubmission log = LogMasking.mask(read.get(), services.masker());
        Backoff backoff = new Backoff(services.settings().retry());
        while (!lost.getAsBoolean()) {
            Optional<Credentials> key = services.registration().current();
            try {
                services.orchestrator().logs(log);
                LOG.infof("session log submitted (%d bytes)", services.fitter().sizeOf(log));
                return new LogResult(Settled.DONE, null);
            } catch (OrchestratorException e) {
                switch (e.refusal()) {
                    case NOT_OURS -> {
                        LOG.warnf("session log not submitted: %s", e.getMessage());
                        return new LogResult(Settled.NOT_OURS, null);
                    }
                    case SHRINK -> {
                        int size = services.fitter().sizeOf(log);
                        if (Math.min(budget, size) <= SMALLEST_LOG_BODY) {
                            return without("the orchestrator refused even " + size + " bytes as too large");
                        }
                        budget = Math.min(budget, size) / 2;
                        LOG.warnf("session log too large for the orchestrator; shrinking to %d bytes", budget);
                        // Fitting what was sent gives what fitting the whole session would: it holds the newest
                        // messages (or the newest one's tail), and a smaller budget keeps fewer of them (or less of it).
                        log = services.fitter().fit(log, budget);
                    }
                    case REREGISTER -> registerAgain("session log not submitted", key, e, backoff, budgetEndNanos);
                    case NEVER -> {
                        return without("refused: " + e.getMessage());
                    }
                    case LATER -> {
                        if (StepBounds.past(budgetEndNanos)) {
                            return without("not taken within the delivery budget of "
                                    + services.settings().deliveryBudget().toSeconds() + " s; last: " + e.getMessage());
                        }
                        LOG.logf(services.orchestrator().levelOf(e), "session log not submitted: %s", e.getMessage());
                        pause(backoff, e, budgetEndNanos);
                    }
                }
            }
        }
        return new LogResult(Settled.NOT_OURS, null);
    }

    private static LogResult without(String why) {
        LOG.errorf("session log not submitted: %s", why);
        return new LogResult(Settled.DONE, "session log not submitted: " + why);
    }

    /** The final status, tried while the lease can still be ours (and through an outage, see above). */
    Settled reportFinal(TaskStatus status, String message) throws InterruptedException {
        lease.closeForFinalStatus();
        Backoff backoff = new Backoff(services.settings().retry());
        while (!lost.getAsBoolean()) {
            Optional<Credentials> key = services.registration().current();
            try {
                services.orchestrator().status(StatusUpdate.of(taskId, status, message));
                LOG.infof("reported %s: %s", status.wire(), message);
                return Settled.DONE;
            } catch (OrchestratorException e) {
                switch (e.refusal()) {
                    case NOT_OURS -> {
                        LOG.warnf("could not report %s: %s", status.wire(), e.getMessage());
                        return Settled.NOT_OURS;
                    }
                    case NEVER -> {
                        LOG.errorf("final status refused for good (%s); the task is left to the orchestrator", e.getMessage());
                        return Settled.GIVEN_UP;
                    }
                    case REREGISTER -> registerAgain("could not report " + status.wire(), key, e, backoff, Long.MAX_VALUE);
                    default -> {
                        if (!lease.canStillBeOurs() && lease.answeredSinceItEnded()) {
                            LOG.errorf("results not delivered: the lease has expired since it was last confirmed, and the"
                                    + " orchestrator, which answers other calls, does not take them (%s); it gives the task"
                                    + " to another node", e.getMessage());
                            return Settled.GIVEN_UP;
                        }
                        LOG.logf(services.orchestrator().levelOf(e), "could not report %s: %s", status.wire(), e.getMessage());
                        pause(backoff, e, Long.MAX_VALUE);
                    }
                }
            }
        }
        return Settled.NOT_OURS;
    }

    /** A refused key: registers again at once, or, when that fails, pauses before the caller's next try. */
    private void registerAgain(String what, Optional<Credentials> key, OrchestratorException refused, Backoff backoff,
            long untilNanos) throws InterruptedException {
        LOG.warnf("%s (%s): registering again", what, refused.getMessage());
        if (!services.registration().renewQuietly(key, refused)) {
            pause(backoff, refused, untilNanos);
        }
    }

    /** The next pause of {@code backoff}, but never past {@code untilNanos}. */
    private void pause(Backoff backoff, OrchestratorException after, long untilNanos) throws InterruptedException {
        long delay = backoff.nextDelayInMillis(after);
        long pause = untilNanos == Long.MAX_VALUE ? delay
                : Math.min(delay, Duration.ofNanos(Math.max(0, untilNanos - System.nanoTime())).toMillis());
        LOG.debugf("trying again in %d ms", pause);
        Thread.sleep(pause);
    }
}
