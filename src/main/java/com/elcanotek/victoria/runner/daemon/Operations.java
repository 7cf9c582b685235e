package com.elcanotek.victoria.runner.daemon;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.elcanotek.victoria.runner.admission.ClaimAdmission;
import com.elcanotek.victoria.runner.admission.DiskSpaceGuard;
import com.elcanotek.victoria.runner.admission.RuntimeProbe;
import com.elcanotek.victoria.runner.config.RunnerConfig;
import com.elcanotek.victoria.runner.container.ImageKeeper;
import com.elcanotek.victoria.runner.housekeeping.Housekeeping;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.elcanotek.victoria.runner.status.StatusFile;
import com.elcanotek.victoria.runner.systemd.ServiceManager;

/**
 * What the daemon does for the operator beside running tasks: housekeeping on a schedule, the
 * status file, what readiness reads, what systemd is told, and how a reload reaches the parts that read settings.
 *
 * @param reconfigure hands a reload's settings to the parts that keep their own copy (secrets, image, limits, logging)
 * @param unenforcedLimits which of the limits set the engine does not enforce; empty while all hold
 * @param masker masks what readiness, the status file and systemd are told of why no task is claimed: an engine's
 *               error may quote what it was given
 */
record Operations(DiskSpaceGuard diskSpace, Housekeeping housekeeping, Duration housekeepingInterval,
        StatusFile statusFile, RuntimeProbe runtime, ClaimAdmission admission, ImageKeeper images,
        ServiceManager systemd, Consumer<RunnerConfig> reconfigure, Supplier<Optional<String>> unenforcedLimits,
        SecretMasker masker) {
}
