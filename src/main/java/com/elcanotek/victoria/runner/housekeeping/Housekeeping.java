package com.elcanotek.victoria.runner.housekeeping;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * The daemon's daily round: workspace retention, the same age limit for the tasks' kept output, then old images
 * unless the operator turned that off.
 */
public class Housekeeping {

    private static final Logger LOG = Logger.getLogger(Housekeeping.class);

    private final WorkspaceRetention retention;
    private final WorkspaceRetention keptOutput;
    private final Duration maxAge;
    private final Supplier<Set<String>> busyTasks;
    private final Optional<ImagePruner> images;

    /**
     * @param keptOutput the state dir's folder of kept container output, whose files go at the same age
     * @param busyTasks  short ids of the tasks held right now, asked at each round
     * @param images     empty with {@code --no-prune-images}
     */
    public Housekeeping(WorkspaceRetention retention, WorkspaceRetention keptOutput, Duration maxAge,
            Supplier<Set<String>> busyTasks, Optional<ImagePruner> images) {
        this.retention = retention;
        this.keptOutput = keptOutput;
        this.maxAge = maxAge;
        this.busyTasks = busyTasks;
        this.images = images;
    }

    public void run() {
        sweep("Workspace retention", retention, busyTasks.get());
        sweep("Kept output retention", keptOutput, Set.of());
        images.ifPresent(ImagePruner::run);
    }

    private void sweep(String what, WorkspaceRetention sweeper, Set<String> busy) {
        try {
            WorkspaceRetention.Result swept = sweeper.sweep(maxAge, busy, false);
            LOG.infof("%s: removed %d file(s), %d bytes, untouched for %d days%s", what, swept.files().size(),
                    swept.bytes(), maxAge.toDays(), swept.failures() > 0 ? "; " + swept.failures() + " could not be removed" : "");
        } catch (IOException | RuntimeException e) {
            LOG.warnf("%s failed: %s", what, e.getMessage());
        }
    }
}
