package com.elcanotek.victoria.runner.systemd;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.elcanotek.victoria.runner.health.RunnerView;

/**
 * When the runner counts as working, for systemd's watchdog: its poll job runs (as liveness says) and the
 * orchestrator answered within the readiness window, as the Buildkite agent ties its watchdog to heartbeats. An
 * answer with an error status counts: the runner's own calls get through. Only an answer to this process counts:
 * one that has had none since it started (restarted during an outage, or started in one) is not restarted again
 * for the silence, only for a stuck poll, so an outage costs one restart, not one every few minutes.
 */
final class WatchdogRule {

    private final RunnerView view;
    private final Instant readyAt;

    WatchdogRule(RunnerView view, Instant readyAt) {
        this.view = view;
        this.readyAt = readyAt;
    }

    /** @return why the watchdog must not be pinged at {@code now}; empty while the runner works */
    Optional<String> starvedBecause(Instant now) {
        Optional<String> stuck = view.pollStuckBecause(now);
        if (stuck.isPresent()) {
            return stuck;
        }
        Optional<Instant> answered = view.lastContact().filter(contact -> !contact.isBefore(readyAt));
        if (answered.isEmpty()) {
            // Not answered since this process started: a restart already happened or cannot help; one per outage.
            return Optional.empty();
        }
        Duration silence = Duration.between(answered.get(), now);
        if (silence.compareTo(view.contactMaxAge()) > 0) {
            return Optional.of("no answer from the orchestrator for " + silence.toSeconds() + " s");
        }
        return Optional.empty();
    }
}
