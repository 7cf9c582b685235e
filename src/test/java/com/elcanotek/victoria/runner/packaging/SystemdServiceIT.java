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
 * The .deb's service under a real systemd as PID 1 with real rootless podman, as deploy/systemd/check-under-systemd.sh
 * checks it on its quick host: a Debian 12 system container on this machine, booted from a debootstrapped, cached root
 * file system. A task runs, the limits this machine's cgroups cannot hold are said, the secrets stay hidden, and a
 * running task container outlives try-restart, an upgrade and stop, re-adopted with one final status.
 * {@link GuestServiceIT} runs the same check on a cgroup-v2 guest.
 */
@Tag("system")
class SystemdServiceIT {

    @Test
    void serviceRunsAndKeepsTaskContainersUnderSystemd() throws IOException, InterruptedException {
        require("0".equals(ok("id", "-u").strip()), "a system container needs root (podman --privileged)");
        require(onPath("podman") && onPath("debootstrap"), "podman or debootstrap missing (.ci/setup-podman.sh installs both)");
        require(Files.exists(PackageIT.DEB), PackageIT.DEB + " was not built (-DskipPackages?)");

        HostCheck.passes(Path.of("target", "check-under-systemd.log"), Duration.ofMinutes(15));
    }
}
