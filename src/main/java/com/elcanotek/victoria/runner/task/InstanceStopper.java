package com.elcanotek.victoria.runner.task;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.driver.DriverUnavailable;

/**
 * Stops a task's instance in the background (a stop blocks for up to its grace period, which no timer or task should
 * wait behind, and a shutdown stops all at once rather than one grace period after another), and again every
 * {@link TaskServices.Settings#stopRetry} while the driver cannot be asked and the stop is still wanted: a stop that
 * failed must not leave a timed-out or cancelled task running. Stateless: each stop carries its own wish.
 */
final class InstanceStopper {

    private static final Logger LOG = Logger.getLogger(InstanceStopper.class);

    private final TaskServices services;

    InstanceStopper(TaskServices services) {
        this.services = services;
    }

    /** @param wanted whether the stop is still needed (the run has not ended meanwhile) */
    void stopUntilGone(String handle, BooleanSupplier wanted) {
        services.stopper().execute(TaskLogContext.carried(() -> {
            if (!wanted.getAsBoolean()) {
                return;
            }
            try {
                services.driver().stop(handle);
            } catch (DriverUnavailable e) {
                LOG.warnf("cannot stop container %s (%s); trying again in %d s", handle, e.getMessage(),
                        services.settings().stopRetry().toSeconds());
                services.timers().schedule(TaskLogContext.carried(() -> stopUntilGone(handle, wanted)),
                        services.settings().stopRetry().toMillis(), TimeUnit.MILLISECONDS);
            }
        }));
    }
}
