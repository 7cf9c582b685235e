package com.elcanotek.victoria.runner.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.doctor.Check.Result;

/** Free disk, the locale, and the service's state as systemctl tells it. */
class HostChecksTest {

    @TempDir
    Path dir;

    @Test
    void freeDiskAboveTheMinimumIsFineAndBelowItFailsOrWarns() {
        assertThat(HostChecks.disk("Victoria home", dir.resolve("not/yet"), 1, true).result()).isEqualTo(Result.OK);

        Check short1 = HostChecks.disk("Victoria home", dir, Long.MAX_VALUE, true);
        assertThat(short1.result()).isEqualTo(Result.FAIL);
        assertThat(short1.why()).contains("MiB free in " + dir, "below");
        assertThat(HostChecks.disk("image store", dir, Long.MAX_VALUE, false).result()).isEqualTo(Result.WARN);
    }

    @Test
    void onlyAUtf8LocaleCarriesEveryPrompt() {
        assertThat(HostChecks.locale(StandardCharsets.UTF_8).result()).isEqualTo(Result.OK);

        Check latin = HostChecks.locale(StandardCharsets.ISO_8859_1);
        assertThat(latin.result()).isEqualTo(Result.FAIL);
        assertThat(latin.fix()).contains("LC_ALL=C.UTF-8");
    }

    @Test
    void aRunningServiceIsFineAFailedOneFailsAndAStoppedOneIsAWarning() throws Exception {
        assertThat(HostChecks.service(systemctl("LoadState=loaded\nActiveState=active\nSubState=running\nResult=success\n"))
                .result()).isEqualTo(Result.OK);

        Check failed = HostChecks.service(systemctl("LoadState=loaded\nActiveState=failed\nSubState=failed\n"
                + "Result=exit-code\nExecMainStatus=2\n"));
        assertThat(failed.result()).isEqualTo(Result.FAIL);
        assertThat(failed.why()).contains("exit status 2");
        assertThat(failed.fix()).contains("journalctl -u victoria-runner");

        assertThat(HostChecks.service(systemctl("LoadState=loaded\nActiveState=inactive\nSubState=dead\n")).result())
                .isEqualTo(Result.WARN);
        assertThat(HostChecks.service(systemctl("LoadState=not-found\nActiveState=inactive\n")).result())
                .isEqualTo(Result.WARN);
    }

    @Test
    void aSystemctlThatHangsIsGivenUpAfterTenSecondsAndTheServiceIsUnknown() throws Exception {
        Path script = dir.resolve("systemctl-hangs");
        Files.writeString(script, "#!/bin/sh\nprintf 'LoadState=loaded\\n'\nexec sleep 300\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

        Check check = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> HostChecks.service(List.of(script.toString())));

        assertThat(check.result()).isEqualTo(Result.WARN);
        assertThat(check.why()).endsWith(" is unknown");
    }

    /** A systemctl that prints these properties, whatever it is asked. */
    private List<String> systemctl(String properties) throws Exception {
        Path script = dir.resolve("systemctl-" + properties.hashCode());
        Files.writeString(script, "#!/bin/sh\nprintf '" + properties.replace("\n", "\\n") + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return List.of(script.toString());
    }
}
