package com.elcanotek.victoria.runner.systemd;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.elcanotek.victoria.runner.health.RunnerView;

/**
 * When the runner counts as working, for systemd's watchdog: its poll job runs (as liveness says) and the
 * orchestrator answered within the readiness window, as the Buildkite agent ties its watchdog to heartbeats. An
 * answer with an error status counts: the runner's own calls get through. The window starts no earlier than
 * readiness, so that a runner restarted during an outage gets one window before the next restart.
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
        Instant since = view.lastContact().filter(contact -> contact.isAfter(readyAt)).orElse(readyAt);
        Duration silence = Duration.between(since, now);
        if (silence.compareTo(view.contactMaxAge()) > 0) {
            return Optional.of(view.lastContact().isPresent()
                    ? "no answer from the orchestrator for " + silence.toSeconds() + " s"
                    : "no answer from the orchestrator since start-up, " + silence.toSeconds() + " s ago");
        }
        return Optional.empty();
    }
}
