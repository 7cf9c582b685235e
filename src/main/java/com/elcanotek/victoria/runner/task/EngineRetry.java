package com.elcanotek.victoria.runner.task;

import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.driver.DriverUnavailable;
import com.elcanotek.victoria.runner.orchestrator.Backoff;

/**
 * Asks the driver until it answers. A driver that cannot be asked (an engine restarting, overloaded) says nothing about
 * the task: the task stays held, its lease renewed, and the driver is asked again after a growing pause, until the
 * step's bound: then the task fails, rather than hold its lease for ever. Stateless; runs on the caller's thread.
 */
final class EngineRetry {

    private static final Logger LOG = Logger.getLogger(EngineRetry.class);

    private final Backoff.Policy pauses;
    private final BooleanSupplier leaving;

    /** @param leaving whether the runner is stopping and leaves the task to its next start */
    EngineRetry(Backoff.Policy pauses, BooleanSupplier leaving) {
        this.pauses = pauses;
        this.leaving = leaving;
    }

    /**
     * @param what what is asked, for the log and the failure ("look for the container")
     * @throws TaskFailure when the driver still cannot be asked at {@code boundNanos}
     * @throws InterruptedException when the runner stops meanwhile
     */
    <T> T call(String what, long boundNanos, Callable<T> call) throws InterruptedException {
        Backoff backoff = new Backoff(pauses);
        while (true) {
            try {
                return call.call();
            } catch (DriverUnavailable e) {
                if (leaving.getAsBoolean()) {
                    throw new InterruptedException("the runner is stopping");
                }
                if (StepBounds.past(boundNanos)) {
                    throw new TaskFailure("cannot " + what + ", and its time is up: " + e.getMessage());
                }
                long delay = backoff.nextDelayInMillis(e);
                LOG.warnf("cannot %s (%s); the task stays held, asking again in %d ms", what, e.getMessage(), delay);
                Thread.sleep(delay);
            } catch (InterruptedException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
