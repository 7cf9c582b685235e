package com.elcanotek.victoria.runner.housekeeping;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/** The daemon's daily round: workspace retention, then old images when the operator asked for it. */
public class Housekeeping {

    private static final Logger LOG = Logger.getLogger(Housekeeping.class);

    private final WorkspaceRetention retention;
    private final Duration maxAge;
    private final Supplier<Set<String>> busyTasks;
    private final Optional<ImagePruner> images;

    /**
     * @param busyTasks short ids of the tasks held right now, asked at each round
     * @param images    empty unless {@code --prune-images}
     */
    public Housekeeping(WorkspaceRetention retention, Duration maxAge, Supplier<Set<String>> busyTasks,
            Optional<ImagePruner> images) {
        this.retention = retention;
        this.maxAge = maxAge;
        this.busyTasks = busyTasks;
        this.images = images;
    }

    public void run() {
        try {
            WorkspaceRetention.Result swept = retention.sweep(maxAge, busyTasks.get(), false);
            LOG.infof("Workspace retention: removed %d file(s), %d bytes, untouched for %d days%s", swept.files().size(),
                    swept.bytes(), maxAge.toDays(), swept.failures() > 0 ? "; " + swept.failures() + " could not be removed" : "");
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Workspace retention failed: %s", e.getMessage());
        }
        images.ifPresent(pruner -> {
            try {
                pruner.prune(false);
            } catch (RuntimeException e) {
                LOG.warnf("Image pruning failed: %s", e.getMessage());
            }
        });
    }
}
