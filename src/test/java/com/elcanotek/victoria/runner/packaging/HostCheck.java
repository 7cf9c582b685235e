package com.elcanotek.victoria.runner.packaging;

import static com.elcanotek.victoria.runner.packaging.Commands.require;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs deploy/systemd/check-under-systemd.sh, the check of the packaged service on a real host, in the build: the
 * script is the check, so that an operator can run the same one by hand. Its output goes to a file under target/ and
 * to the console; a run that could not get its Debian root file system is skipped, not failed.
 */
final class HostCheck {

    private static final Path SCRIPT = Path.of("deploy", "systemd", "check-under-systemd.sh");

    private HostCheck() {
    }

    static void passes(Path output, Duration limit, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(options));
        ProcessBuilder script = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // The fake orchestrator it starts is test code: this build's classes, not a second build in the middle of it.
        script.environment().put("TEST_CLASSPATH", System.getProperty("java.class.path"));
        Process check = script.start();
        boolean ended = check.waitFor(limit.toMinutes(), TimeUnit.MINUTES);
        if (!ended) {
            check.destroy(); // the script's trap removes the host
            check.waitFor(1, TimeUnit.MINUTES);
        }
        String text = Files.readString(output);
        System.out.println(text);
        assertThat(ended).as("check-under-systemd.sh ended within " + limit.toMinutes() + " min").isTrue();
        // Only the root file system comes from outside (a Debian mirror): not reaching it says nothing of the runner.
        require(!text.contains("giving up after: rootfs"), "the Debian 12 root file system could not be debootstrapped");
        assertThat(text).doesNotContain("FAIL ").contains("0 check(s) failed");
        assertThat(check.exitValue()).isZero();
    }
}
