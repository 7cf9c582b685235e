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

    Optional<String> runtimeVersion();

    int tasksHeld();

    /** When the scheduler last ran the poll job; empty before the first run. */
    Optional<Instant> lastPollTick();

    /** A silence longer than this means the loop is stuck. */
    Duration pollMaxSilence();
}
