package com.elcanotek.victoria.runner.daemon;

import java.time.Duration;
import java.util.List;

import com.elcanotek.victoria.runner.container.ImageKeeper;
import com.elcanotek.victoria.runner.health.RuntimeProbe;
import com.elcanotek.victoria.runner.housekeeping.DiskSpaceGuard;
import com.elcanotek.victoria.runner.housekeeping.Housekeeping;
import com.elcanotek.victoria.runner.status.StatusFile;
import com.elcanotek.victoria.runner.task.ClaimGate;

/**
 * What the daemon does for the operator beside running tasks: housekeeping on a schedule, the
 * status file, and what readiness reads.
 */
record Operations(DiskSpaceGuard diskSpace, Housekeeping housekeeping, Duration housekeepingInterval,
        StatusFile statusFile, RuntimeProbe runtime, List<ClaimGate> claimGates, ImageKeeper images) {
}
