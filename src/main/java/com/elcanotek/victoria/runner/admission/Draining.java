package com.elcanotek.victoria.runner.admission;

import java.util.Optional;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.state.DrainFlag;

/** Claims nothing while the operator drains this runner; the tasks it holds go on to their end. */
public final class Draining implements ClaimGate {

    private static final Logger LOG = Logger.getLogger(Draining.class);

    private final DrainFlag flag;
    private volatile Boolean wasDraining;

    public Draining(DrainFlag flag) {
        this.flag = flag;
    }

    @Override
    public Optional<String> closedBecause() {
        Optional<String> since = flag.since();
        boolean draining = since.isPresent();
        if (wasDraining == null || wasDraining != draining) {
            if (draining) {
                LOG.infof("Draining since %s: no new task is claimed; held tasks go on ('victoria-runner resume' claims again)",
                        since.get());
            } else if (wasDraining != null) {
                LOG.info("Resumed: claiming again");
            }
            wasDraining = draining;
        }
        return since.map(at -> "draining since " + at);
    }
}
