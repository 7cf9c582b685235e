package com.elcanotek.victoria.runner.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who a doctor started as root checks as: the service's user with its unit's environment (from systemctl), the
 * package's defaults off systemd, nobody when the service runs as root. The command it builds really runs as that user.
 */
class ServiceAccountTest {

    @TempDir
    Path dir;

    @Test
    void theUnitsUserAndEnvironmentAreTaken() throws Exception {
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");

        Optional<ServiceAccount> account = ServiceAccount.find(Optional.of(systemctl("LoadState=loaded\nUser=nobody\n"
                + "Environment=XDG_RUNTIME_DIR=/run/victoria-runner LC_ALL=C.UTF-8\nStateDirectory=victoria-runner\n")), passwd);

        assertThat(account).hasValueSatisfying(found -> {
            assertThat(found.user()).isEqualTo("nobody");
            assertThat(found.home()).isEqualTo(Path.of("/nonexistent"));
            assertThat(found.environment()).containsEntry("XDG_RUNTIME_DIR", "/run/victoria-runner")
                    .containsEntry("LC_ALL", "C.UTF-8").containsEntry("STATE_DIRECTORY", "/var/lib/victoria-runner");
        });
    }

    @Test
    void aServiceOfRootOrNoServiceAtAllIsCheckedAsRoot() throws Exception {
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");

        assertThat(ServiceAccount.find(Optional.of(systemctl("LoadState=loaded\nUser=\n")), passwd)).isEmpty();
        assertThat(ServiceAccount.find(Optional.of(systemctl("LoadState=not-found\n")), passwd)).isEmpty();
        assertThat(ServiceAccount.find(Optional.empty(), passwd)).as("no package user").isEmpty();
    }

    @Test
    void offSystemdThePackagesUserAndDefaultsAreTaken() throws Exception {
        Path passwd = Files.writeString(dir.resolve("passwd"),
                "victoria-runner:x:999:999::/var/lib/victoria-runner:/usr/sbin/nologin\n");

        assertThat(ServiceAccount.find(Optional.empty(), passwd)).hasValueSatisfying(found -> {
            assertThat(found.user()).isEqualTo("victoria-runner");
            assertThat(found.environment()).isEqualTo(ServiceAccount.PACKAGE_ENVIRONMENT);
        });
    }

    @Test
    void theCommandRunsAsTheUserWithTheUnitsEnvironment() throws Exception {
        ServiceAccount nobody = new ServiceAccount("nobody", Path.of("/nonexistent"),
                java.util.Map.of("XDG_RUNTIME_DIR", "/run/victoria-runner"));

        List<String> command = new ArrayList<>(nobody.command(List.of("sh", "-c", "id -un; echo $XDG_RUNTIME_DIR $HOME $MARK"),
                "MARK"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("nobody\n/run/victoria-runner /nonexistent 1\n");
    }

    private List<String> systemctl(String properties) throws Exception {
        Path script = dir.resolve("systemctl-" + Integer.toHexString(properties.hashCode()));
        Files.writeString(script, "#!/bin/sh\nprintf '" + properties.replace("\n", "\\n") + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return List.of(script.toString());
    }
}
