package com.elcanotek.victoria.runner.admission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.state.NearestExisting;

/**
 * Stops the runner from claiming tasks while the Victoria home is short of space: a task that
 * starts on a full disk fails half-way, after it was taken from the fleet. Asked before each poll
 * and by readiness; claiming resumes by itself once space is back.
 */
public class DiskSpaceGuard implements ClaimGate {

    private static final Logger LOG = Logger.getLogger(DiskSpaceGuard.class);
    private static final long MIB = 1024 * 1024;

    /** Free bytes of the file system holding a path. */
    @FunctionalInterface
    public interface FreeSpace {
        long of(Path path) throws IOException;

        /**
         * The space an unprivileged writer can use on a real file system, measured on the path or, while it does not
         * exist yet, on the folder it will be created in.
         */
        static FreeSpace usable() {
            return path -> Files.getFileStore(NearestExisting.of(path)).getUsableSpace();
        }
    }

    private final Path home;
    private final long minimumFree;
    private final FreeSpace freeSpace;
    private final AtomicBoolean low = new AtomicBoolean();

    /** @param minimumFree bytes that must stay free; 0 turns the guard off */
    public DiskSpaceGuard(Path home, long minimumFree, FreeSpace freeSpace) {
        this.home = home;
        this.minimumFree = minimumFree;
        this.freeSpace = freeSpace;
    }

    /** The guard of a real file system (see {@link FreeSpace#usable}). */
    public static DiskSpaceGuard of(Path home, long minimumFree) {
        return new DiskSpaceGuard(home, minimumFree, FreeSpace.usable());
    }

    /** Whether a new task may be claimed; logs when space runs short and when it is back. */
    @Override
    public boolean admitsClaim() {
        Optional<String> shortage = closedBecause();
        if (shortage.isPresent() && low.compareAndSet(false, true)) {
            LOG.warnf("%s: claiming no new tasks until space is freed", shortage.get());
        } else if (shortage.isEmpty() && low.compareAndSet(true, false)) {
            LOG.infof("Free disk space in %s is back above %d MiB: claiming tasks again", home, minimumFree / MIB);
        }
        return shortage.isEmpty();
    }

    /** Why no task may be claimed now; empty when there is space (or it cannot be measured). */
    @Override
    public Optional<String> closedBecause() {
        if (minimumFree <= 0) {
            return Optional.empty();
        }
        long free;
        try {
            free = freeSpace.of(home);
        } catch (IOException e) {
            // An unmeasurable disk is not known to be full; a task failing on it says why.
            LOG.debugf("Cannot measure free space in %s: %s", home, e.getMessage());
            return Optional.empty();
        }
        if (free >= minimumFree) {
            return Optional.empty();
        }
        return Optional.of("free disk space in " + home + " is " + free / MIB + " MiB, below the minimum of "
                + minimumFree / MIB + " MiB");
    }
}
