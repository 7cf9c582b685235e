package com.elcanotek.victoria.runner.task;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.driver.Exit;

/**
 * Watches one running container to its exit: stops it at the task's deadline (the exit is then a timeout), and stops
 * waiting at the deadline plus the stop slack, so that a container the engine never reports ended does not hold the
 * task. Its timers fire on the shared timer thread; {@link #await()} runs on the task's worker thread;
 * {@link #abandon()} may come from any thread.
 */
final class ExitWatch {

    private static final Logger LOG = Logger.getLogger(ExitWatch.class);

    private final TaskServices services;
    private final InstanceStopper stopper;
    private final EngineRetry engine;
    private final String handle;
    private final long timeoutSeconds;
    private final long deadlineNanos;
    private final long boundNanos;
    private final BooleanSupplier wanted;
    /** Set by the timer that fired. */
    private volatile boolean timedOut;
    private volatile boolean overran;
    private volatile boolean abandoned;
    /** The worker thread while it waits, for the bound and a shutdown to interrupt. */
    private volatile Thread waiting;

    /** @param wanted whether the task's run still wants the container stopped (it has not ended meanwhile) */
    ExitWatch(TaskServices services, InstanceStopper stopper, EngineRetry engine, String handle, long timeoutSeconds,
            long deadlineNanos, long boundNanos, BooleanSupplier wanted) {
        this.services = services;
        this.stopper = stopper;
        this.engine = engine;
        this.handle = handle;
        this.timeoutSeconds = timeoutSeconds;
        this.deadlineNanos = deadlineNanos;
        this.boundNanos = boundNanos;
        this.wanted = wanted;
    }

    /**
     * @throws TaskFailure when the container did not end within its bound, or the engine could not be asked until then
     * @throws com.elcanotek.victoria.runner.driver.InstanceGone when it ended without an exit code
     * @throws InterruptedException when the runner stops and leaves the container running
     */
    Exit await() throws InterruptedException {
        ScheduledFuture<?> atDeadline = at(deadlineNanos, () -> {
            timedOut = true;
            LOG.warnf("container %s passed its deadline of %d s; stopping it", handle, timeoutSeconds);
            stopper.stopUntilGone(handle, wanted);
        });
        ScheduledFuture<?> atBound = at(boundNanos, () -> {
            overran = true;
            interruptWaiting();
        });
        try {
            return engine.call("wait for the container's exit", boundNanos, this::waitOnce);
        } finally {
            atDeadline.cancel(false);
            atBound.cancel(false);
        }
    }

    /** Whether the runner stopped the container at its deadline: its exit is then a timeout, whatever its code. */
    boolean timedOut() {
        return timedOut;
    }

    /** The runner stops and leaves the container running: stop waiting. */
    void abandon() {
        abandoned = true;
        interruptWaiting();
    }

    private Exit waitOnce() throws InterruptedException {
        waiting = Thread.currentThread();
        try {
            if (abandoned) {
                throw new InterruptedException("the runner is stopping");
            }
            return services.driver().awaitExit(handle);
        } catch (InterruptedException e) {
            if (overran && !abandoned) {
                Thread.interrupted();
                throw new TaskFailure("the container did not end within " + services.settings().stopSlack().toSeconds()
                        + " s of its deadline (" + timeoutSeconds + " s)");
            }
            throw e;
        } finally {
            waiting = null;
        }
    }

    private void interruptWaiting() {
        Thread thread = waiting;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private ScheduledFuture<?> at(long monotonicNanos, Runnable action) {
        long delay = Math.max(0, monotonicNanos - System.nanoTime());
        return services.timers().schedule(TaskLogContext.carried(action), delay, TimeUnit.NANOSECONDS);
    }
}
