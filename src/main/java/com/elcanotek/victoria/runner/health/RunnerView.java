package com.elcanotek.victoria.runner.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** What the health checks read of a running runner. */
public interface RunnerView {

    Optional<String> nodeId();

    Optional<Instant> lastContact();

    /** Contact older than this makes the runner unready. */
    Duration contactMaxAge();

    /** The container engine and its version while it answers; empty when it does not. */
    Optional<String> runtimeVersion();

    /** Why the Victoria home is too full for new tasks; empty while it has room. */
    Optional<String> diskShortage();

    /**
     * Why no task is claimed although slots are free (a drain, a first image pull, a host that cannot start tasks);
     * empty while claiming.
     */
    Optional<String> claimingStopped();

    /** Which of the task containers' limits the engine does not enforce, and why; empty while all of them hold. */
    Optional<String> limitsNotEnforced();

    int tasksHeld();

    /** When the scheduler last ran the poll job; empty before the first run. */
    Optional<Instant> lastPollTick();

    /** A silence longer than this means the loop is stuck. */
    Duration pollMaxSilence();

    /** Why the poll job counts as stuck at {@code now} (liveness, the systemd watchdog); empty while it runs. */
    default Optional<String> pollStuckBecause(Instant now) {
        return lastPollTick().map(tick -> Duration.between(tick, now))
                .filter(silence -> silence.compareTo(pollMaxSilence()) > 0)
                .map(silence -> "no poll for " + silence.toSeconds() + " s");
    }
}
