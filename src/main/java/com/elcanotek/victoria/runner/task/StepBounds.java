package com.elcanotek.victoria.runner.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * When each step of one task must be over, on the monotonic clock ({@link System#nanoTime()}): the start, from its
 * claim; the agent's run, from its start; the delivery of its log, from its exit. The journal's wall-clock times are
 * turned into monotonic ones once, when a run takes the entry up: a wall clock set meanwhile changes no bound.
 * Confined to the task's worker thread, but for {@link #start()}, which is fixed at construction.
 */
final class StepBounds {

    private final TaskServices.Settings settings;
    private final Clock clock;
    private final long claimedNanos;
    private long exitedNanos;

    StepBounds(TaskServices.Settings settings, Clock clock, Instant claimedAt) {
        this.settings = settings;
        this.clock = clock;
        this.claimedNanos = at(claimedAt);
    }

    /** Whether the monotonic moment {@code nanos} has come. */
    static boolean past(long nanos) {
        return System.nanoTime() - nanos >= 0;
    }

    /** A wall-clock moment of the journal on the monotonic clock. */
    long at(Instant wallClock) {
        return System.nanoTime() + Duration.between(clock.instant(), wallClock).toNanos();
    }

    /** The end of the start: the claim plus the start budget. */
    long start() {
        return claimedNanos + settings.startBudget().toNanos();
    }

    /** The agent's deadline: its start plus the task's timeout. */
    static long deadline(long startedNanos, long timeoutSeconds) {
        return startedNanos + Duration.ofSeconds(timeoutSeconds).toNanos();
    }

    /** Past the deadline, how long the container has to be stopped and its exit seen. */
    long running(long deadlineNanos) {
        return deadlineNanos + settings.stopSlack().toNanos();
    }

    /** The container exited at {@code nanos}: the delivery's budget counts from there. */
    void exited(long nanos) {
        exitedNanos = nanos;
    }

    /** The end of the log's delivery: the exit plus the delivery budget. */
    long delivery() {
        return exitedNanos + settings.deliveryBudget().toNanos();
    }
}
