package com.elcanotek.victoria.runner.packaging;

import static com.elcanotek.victoria.runner.packaging.Commands.ok;
import static com.elcanotek.victoria.runner.packaging.Commands.onPath;
import static com.elcanotek.victoria.runner.packaging.Commands.require;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The .deb's service under a real systemd as PID 1 with real rootless podman, as
 * deploy/systemd/check-under-systemd.sh checks it (a Debian 12 system container booted from a
 * debootstrapped, cached root file system): a task runs, the secrets stay hidden, and a running task
 * container outlives try-restart, an upgrade and stop, re-adopted with one final status. The script
 * is the check, so that an operator can run the same one by hand; this test runs it in the build.
 */
@Tag("system")
class SystemdServiceIT {

    private static final Path SCRIPT = Path.of("deploy", "systemd", "check-under-systemd.sh");
    private static final Path OUTPUT = Path.of("target", "check-under-systemd.log");

    @Test
    void serviceRunsAndKeepsTaskContainersUnderSystemd() throws IOException, InterruptedException {
        require("0".equals(ok("id", "-u").strip()), "a system container needs root (podman --privileged)");
        require(onPath("podman") && onPath("debootstrap"), "podman or debootstrap missing (.ci/setup-podman.sh installs both)");
        require(Files.exists(PackageIT.DEB), PackageIT.DEB + " was not built (-DskipPackages?)");

        ProcessBuilder script = new ProcessBuilder("bash", SCRIPT.toString())
                .redirectErrorStream(true)
                .redirectOutput(OUTPUT.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // The fake orchestrator it starts is test code: this build's classes, not a second build in the middle of it.
        script.environment().put("TEST_CLASSPATH", System.getProperty("java.class.path"));
        Process check = script.start();
        boolean ended = check.waitFor(15, TimeUnit.MINUTES);
        if (!ended) {
            check.destroy(); // the script's trap removes the system container
            check.waitFor(1, TimeUnit.MINUTES);
        }
        String output = Files.readString(OUTPUT);
        System.out.println(output);
        assertThat(ended).as("check-under-systemd.sh ended within 15 min").isTrue();
        // Only the root file system comes from outside (a Debian mirror): not reaching it says nothing of the runner.
        require(!output.contains("giving up after: rootfs"), "the Debian 12 root file system could not be debootstrapped");
        assertThat(output).doesNotContain("FAIL ").contains("0 check(s) failed");
        assertThat(check.exitValue()).isZero();
    }
}
