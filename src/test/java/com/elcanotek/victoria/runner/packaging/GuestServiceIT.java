package com.elcanotek.victoria.runner.packaging;

import static com.elcanotek.victoria.runner.packaging.Commands.ok;
import static com.elcanotek.victoria.runner.packaging.Commands.onPath;
import static com.elcanotek.victoria.runner.packaging.Commands.require;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The .deb's service on a stock Debian 12 guest under QEMU (its own kernel, systemd 252, unified cgroup v2, Debian's
 * podman), as {@code deploy/systemd/check-under-systemd.sh --host qemu} checks it: the limits the runner sets are the
 * ones the task container sees, an agent passing --memory ends as out of memory, and a task survives restarts, the
 * watchdog and an upgrade from the package before the last change to the unit. About 25 minutes on 2 cores: tag
 * guest, run only by {@code ./mvnw verify -Pguest-check} (see docs/CONTRIBUTING.md), never by CI.
 */
@Tag("guest")
class GuestServiceIT {

    @Test
    void serviceEnforcesLimitsAndKeepsTaskContainersOnACgroupV2Guest() throws IOException, InterruptedException {
        require("0".equals(ok("id", "-u").strip()), "the guest's root file system is debootstrapped as root");
        require(onPath("qemu-system-x86_64") && onPath("qemu-img") && onPath("socat"),
                "qemu-system-x86_64, qemu-img or socat missing (apt-get install qemu-system-x86 qemu-utils socat)");
        require(onPath("debootstrap") && onPath("podman"), "debootstrap or podman missing (.ci/setup-podman.sh installs both)");
        require(Files.exists(PackageIT.DEB), PackageIT.DEB + " was not built (-DskipPackages?)");

        HostCheck.passes(Path.of("target", "check-under-systemd-qemu.log"), Duration.ofMinutes(50), "--host", "qemu");
    }
}
