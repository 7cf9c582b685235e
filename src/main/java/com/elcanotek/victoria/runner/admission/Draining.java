package com.elcanotek.victoria.runner.admission;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.state.DrainFlag;

/** Claims nothing while the operator drains this runner; the tasks it holds go on to their end. */
public final class Draining implements ClaimGate {

    private static final Logger LOG = Logger.getLogger(Draining.class);

    private final DrainFlag flag;
    /** What was seen last: asked by the poll and the status file at once, each change is said by one of them. */
    private final AtomicReference<Boolean> wasDraining = new AtomicReference<>();

    public Draining(DrainFlag flag) {
        this.flag = flag;
    }

    @Override
    public Optional<String> closedBecause() {
        Optional<String> since = flag.since();
        boolean draining = since.isPresent();
        Boolean before = wasDraining.getAndSet(draining);
        if (before == null || before != draining) {
            if (draining) {
                LOG.infof("Draining since %s: no new task is claimed; held tasks go on ('victoria-runner resume' claims again)",
                        since.get());
            } else if (before != null) {
                LOG.info("Resumed: claiming again");
            }
        }
        return since.map(at -> "draining since " + at);
    }
}
