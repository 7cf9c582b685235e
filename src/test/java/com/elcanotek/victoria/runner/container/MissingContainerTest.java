package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Which failures of the CLI mean that a container does not exist: only the engine's own words for it. A CLI that
 * prints what podman prints for a failed inspect ({@code []} on stdout, the error on stderr, exit 125) stands in for
 * an engine in trouble, which a real one cannot be made to be on demand.
 */
class MissingContainerTest {

    @TempDir
    Path dir;

    @Test
    void anInspectFailingOnDamagedStorageIsAnEngineErrorNotAMissingContainer() throws IOException {
        ContainerRuntime runtime = failingInspect(
                "Error: readlink /var/lib/containers/storage/overlay/l/QXJ2: no such file or directory");

        assertThatThrownBy(() -> runtime.inspect("victoria-0123abcd")).isInstanceOf(ContainerException.class)
                .hasMessageContaining("no such file or directory");
    }

    @Test
    void podmansAndDockersWordsForAMissingContainerMeanItIsMissing() throws IOException {
        for (String words : List.of("Error: inspecting object: no such container victoria-0123abcd",
                "Error: No such container: victoria-0123abcd", "Error: No such object: victoria-0123abcd")) {
            assertThat(failingInspect(words).inspect("victoria-0123abcd")).as(words).isEmpty();
        }
    }

    private ContainerRuntime failingInspect(String stderr) throws IOException {
        Path cli = Files.createTempFile(dir, "podman-", ".sh");
        Files.writeString(cli, "#!/bin/sh\necho '[]'\necho '" + stderr + "' >&2\nexit 125\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwx------"));
        return new PodmanRuntime(List.of(cli.toString()), new ObjectMapper());
    }
}
