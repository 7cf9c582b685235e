package com.elcanotek.victoria.runner.orchestrator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.jboss.logging.Logger;

/**
 * Says once that the orchestrator stopped answering and once that it answers again, so that an outage of hours is
 * two lines in the log, not one for every beat, poll, renewal and retry of every task: a failure that belongs to an
 * outage already said is a debug line. An outage is no answer at all or a 5xx (a proxy's error page, a server
 * that cannot serve); any other answer ends it.
 */
final class OutageLog {

    private static final Logger LOG = Logger.getLogger(Orchestrator.class);

    private final Clock clock;
    // guarded by this
    private Instant since;

    OutageLog(Clock clock) {
        this.clock = clock;
    }

    synchronized void answered() {
        if (since != null) {
            LOG.infof("The orchestrator answers again, after %d s", Duration.between(since, clock.instant()).toSeconds());
            since = null;
        }
    }

    synchronized void failed(OrchestratorException failure) {
        if (!isOutage(failure)) {
            answered();
        } else if (since == null) {
            since = clock.instant();
            LOG.warnf("The orchestrator cannot be reached or fails (%s); calls go on being tried, their failures logged at"
                    + " debug until it answers again", failure.getMessage());
        }
    }

    synchronized Logger.Level levelOf(OrchestratorException failure) {
        return since != null && isOutage(failure) ? Logger.Level.DEBUG : Logger.Level.WARN;
    }

    private static boolean isOutage(OrchestratorException failure) {
        return failure.status() == OrchestratorException.NO_ANSWER || failure.status() >= 500;
    }
}
