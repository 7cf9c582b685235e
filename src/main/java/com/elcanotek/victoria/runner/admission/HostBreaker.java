package com.elcanotek.victoria.runner.admission;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.metrics.RunnerMetrics;

/**
 * Stops claiming when task starts keep failing for reasons of this host (the engine does not answer, the image
 * cannot be had, the state dir or the Victoria home cannot be written), so that a broken runner does not claim
 * the fleet's whole queue and fail each task in milliseconds. A failure of the task itself (its files, its exit
 * code, its timeout) never counts. While open, the host is probed with growing pauses; once the probe passes,
 * claiming resumes on trial: the first start then decides, and one more host failure opens it again at once. A
 * failed trial doubles the pause beyond {@link Settings#maxPause} (up to {@link #MAX_TRIAL_PAUSE}), as the probe
 * cannot see what breaks the starts; only a start that works brings the pause back to its first length. However long
 * the host stays broken, the tasks ended in error are the threshold's plus one per trial, and trials grow rarer.
 */
public class HostBreaker implements ClaimGate {

    /**
     * @param threshold host failures in a row that stop claiming
     * @param firstPause before the first probe; doubled after each probe that fails, up to {@code maxPause}
     */
    public record Settings(int threshold, Duration firstPause, Duration maxPause) {
    }

    /** Checks what task starts need of the host; says what is wrong, empty when nothing is. */
    public interface Probe {
        Optional<String> problem();
    }

    /** The longest pause failed trials grow to: a host that breaks what no probe sees costs one task a day. */
    static final Duration MAX_TRIAL_PAUSE = Duration.ofHours(24);

    private static final Logger LOG = Logger.getLogger(HostBreaker.class);

    private final Probe probe;
    private final Settings settings;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final RunnerMetrics metrics;
    // guarded by this
    private int failuresInRow;
    private String reason;
    private Instant openSince;
    private Duration pause;
    private boolean onTrial;

    public HostBreaker(Probe probe, Settings settings, ScheduledExecutorService timers, Clock clock, RunnerMetrics metrics) {
        this.probe = probe;
        this.settings = settings;
        this.timers = timers;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Why claiming is stopped, and since when; empty while the runner claims. */
    @Override
    public synchronized Optional<String> closedBecause() {
        return reason == null ? Optional.empty()
                : Optional.of("claiming stopped since " + openSince + ": task starts fail for reasons of this host (" + reason + ")");
    }

    /**
     * A task's container started: the host can start tasks. One that was under way before claiming stopped leaves
     * the probes going: only a passing probe claims again.
     */
    public synchronized void started() {
        failuresInRow = 0;
        onTrial = false;
        if (reason == null) {
            pause = null;
        }
    }

    /** A task's start failed for a reason of this host. */
    public void failed(String cause) {
        int failures;
        boolean trialFailed;
        synchronized (this) {
            if (reason != null) {
                return;
            }
            failures = ++failuresInRow;
            trialFailed = onTrial;
            if (!trialFailed && failures < settings.threshold()) {
                LOG.warnf("Task start failed for a reason of this host (%d in a row, claiming stops at %d): %s", failures,
                        settings.threshold(), cause);
                return;
            }
            reason = cause;
            openSince = clock.instant();
            // A probe passed, yet the start it let in failed: the probe cannot see what breaks, so it must not
            // let a task in as often as at first.
            pause = trialFailed && pause != null ? grown(pause, MAX_TRIAL_PAUSE) : settings.firstPause();
            onTrial = false;
        }
        metrics.claimingStopped();
        if (trialFailed) {
            LOG.errorf("Claiming stopped again: the task start on trial failed for a reason of this host (%s);"
                    + " probing the host in %d s", cause, pause.toSeconds());
        } else {
            LOG.errorf("Claiming stopped: %d task start(s) in a row failed for reasons of this host (last: %s);"
                    + " probing the host in %d s, claiming again once it is healthy", failures, cause, pause.toSeconds());
        }
        probeLater();
    }

    /** Twice {@code last}, at most {@code limit}; never shorter than {@code last}. */
    private static Duration grown(Duration last, Duration limit) {
        Duration doubled = last.multipliedBy(2);
        return doubled.compareTo(limit) <= 0 ? doubled : limit.compareTo(last) > 0 ? limit : last;
    }

    private synchronized void probeLater() {
        timers.schedule(this::probe, pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probe() {
        Optional<String> problem;
        try {
            problem = probe.problem();
        } catch (RuntimeException e) {
            problem = Optional.of(String.valueOf(e.getMessage()));
        }
        synchronized (this) {
            if (problem.isEmpty()) {
                LOG.infof("The host looks healthy again after %d s (%s before); claiming again",
                        Duration.between(openSince, clock.instant()).toSeconds(), reason);
                reason = null;
                failuresInRow = 0;
                onTrial = true;
                return;
            }
            reason = problem.get();
            pause = grown(pause, settings.maxPause());
            LOG.warnf("The host is still unhealthy (%s); probing again in %d s", reason, pause.toSeconds());
        }
        probeLater();
    }
}
