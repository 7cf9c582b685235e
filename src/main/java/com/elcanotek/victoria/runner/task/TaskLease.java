package com.elcanotek.victoria.runner.task;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.StatusUpdate;
import com.elcanotek.victoria.runner.orchestrator.TaskStatus;

/**
 * One held task's lease on this node: renewed by a {@code running} report every renewal interval, on a timer of its
 * own and one try per period (a slow answer for one task never delays another's); confirmed by every report the
 * orchestrator takes; and only for as long as the task's current step may last (its {@linkplain #renewUntil bound}):
 * nothing renews a lease for work that is neither running nor being delivered, so a run stuck past its bound is given
 * back by lease expiry. Whether the lease can still be ours is judged on the monotonic clock.
 *
 * <p>Lock: this object's monitor guards every field below. The renewal itself is sent outside it, on the renewal
 * pool; {@link #closeForFinalStatus} waits for one in flight, so that no renewal ever reaches the server after the
 * final status has started.
 */
final class TaskLease {

    /** What the task's run hears of its lease. */
    interface Events {
        /** The orchestrator renewed the lease at {@code at}: worth journaling, a restart judges the lease by it. */
        void confirmed(Instant at);

        /** The orchestrator says the task is not this node's any more. */
        void notOurs();
    }

    private static final Logger LOG = Logger.getLogger(TaskLease.class);

    private final String taskId;
    private final TaskServices services;
    private final Events events;
    // guarded by this
    private long confirmedNanos;
    private long renewUntilNanos;
    private boolean closed;
    private boolean inFlight;
    private ScheduledFuture<?> renewals;

    /** @param confirmedAt when the lease was last known to be ours (now, for a claim; from the journal, after a restart) */
    TaskLease(String taskId, TaskServices services, Instant confirmedAt, Events events) {
        this.taskId = taskId;
        this.services = services;
        this.events = events;
        // The only use of the wall clock: a restart has nothing else to go by.
        Duration age = Duration.between(confirmedAt, services.clock().instant());
        this.confirmedNanos = System.nanoTime() - Math.max(0, age.toNanos());
        this.renewUntilNanos = confirmedNanos;
    }

    /** Renews every renewal interval from {@code firstDelay} on, while the bound allows. */
    synchronized void start(Duration firstDelay) {
        if (closed || renewals != null) {
            return;
        }
        long period = services.settings().leaseRenewal().get().toMillis();
        renewals = services.timers().scheduleAtFixedRate(() -> {
            try {
                services.renewals().execute(this::renew);
            } catch (RejectedExecutionException stopping) {
                // the runner is shutting down
            }
        }, firstDelay.toMillis(), period, TimeUnit.MILLISECONDS);
    }

    /** The current step may last until {@code deadlineNanos} (monotonic): renewed until then, not after. */
    synchronized void renewUntil(long deadlineNanos) {
        renewUntilNanos = deadlineNanos;
    }

    /** Whether the lease is still renewed: the step is within its bound and the final status has not started. */
    synchronized boolean renewing() {
        return !closed && !StepBounds.past(renewUntilNanos);
    }

    /** The orchestrator took a report for the task: the lease is ours as of now. */
    void confirm() {
        synchronized (this) {
            confirmedNanos = System.nanoTime();
        }
        events.confirmed(services.clock().instant());
    }

    /** Whether the lease may still be ours: last confirmed less than a lease (plus one expiry sweep) ago. */
    synchronized boolean canStillBeOurs() {
        return System.nanoTime() - confirmedNanos < services.settings().leaseHold().toNanos();
    }

    /** Whether the orchestrator took some call after the lease certainly ended: it is not (only) an outage then. */
    synchronized boolean answeredSinceItEnded() {
        long end = confirmedNanos + services.settings().leaseHold().toNanos();
        return services.orchestrator().lastSuccessNanos().filter(at -> at - end > 0).isPresent();
    }

    /**
     * From here on only the final status is sent: no renewal starts after this returns, and one in flight is waited
     * for (as long as one call can take), as an orchestrator could take a renewal that arrives after the final status
     * for the task running again.
     */
    void closeForFinalStatus() {
        long until = System.nanoTime() + services.orchestrator().longestCall().toNanos();
        synchronized (this) {
            closed = true;
            cancelRenewals();
            try {
                while (inFlight) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        LOG.warn("a lease renewal still waits for its answer; the final status goes anyway");
                        return;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The run has ended or paused: no more renewals. */
    synchronized void stop() {
        closed = true;
        cancelRenewals();
    }

    private void cancelRenewals() {
        if (renewals != null) {
            renewals.cancel(false);
        }
    }

    /** One try per period: a try still waiting for its answer makes the next one skip. */
    private void renew() {
        synchronized (this) {
            if (inFlight || !renewing()) {
                return;
            }
            inFlight = true;
        }
        try {
            TaskLogContext.run(taskId, this::sendRenewal);
        } finally {
            synchronized (this) {
                inFlight = false;
                notifyAll();
            }
        }
    }

    private void sendRenewal() {
        Optional<Credentials> key = services.registration().current();
        try {
            services.orchestrator().statusOnce(StatusUpdate.of(taskId, TaskStatus.RUNNING, null));
            confirm();
        } catch (OrchestratorException e) {
            switch (e.refusal()) {
                case NOT_OURS -> events.notOurs();
                case REREGISTER -> {
                    LOG.warnf("lease renewal refused (%s): registering again", e.getMessage());
                    services.registration().renewQuietly(key, e);
                }
                default -> LOG.logf(services.orchestrator().levelOf(e), "lease renewal failed: %s", e.getMessage());
            }
        }
    }
}
