package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerRuntimesTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path dir;

    private Path bin(String name, String... executables) throws IOException {
        Path bin = Files.createDirectories(dir.resolve(name));
        for (String executable : executables) {
            Files.writeString(bin.resolve(executable), "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(bin.resolve(executable), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    private Optional<String> detect(String choice, Path... pathDirs) {
        String path = String.join(File.pathSeparator, java.util.Arrays.stream(pathDirs).map(Path::toString).toList());
        return ContainerRuntimes.detect(choice, new PathLookup(path), mapper).map(ContainerRuntime::name);
    }

    @Test
    void nothingOnThePathFindsNothing() throws IOException {
        Path empty = bin("empty");

        assertThat(detect("auto", empty)).isEmpty();
        assertThat(detect("podman", empty)).isEmpty();
        assertThat(detect("docker", empty)).isEmpty();
    }

    @Test
    void onlyDockerIsDocker() throws IOException {
        Path bin = bin("bin", "docker");

        assertThat(detect("auto", bin)).contains("docker");
        assertThat(detect("docker", bin)).contains("docker");
        assertThat(detect("podman", bin)).isEmpty();
    }

    @Test
    void autoPrefersPodman() throws IOException {
        assertThat(detect("auto", bin("d", "docker"), bin("p", "podman"))).contains("podman");
        assertThat(detect(" Docker ", bin("both", "docker", "podman"))).contains("docker");
    }

    @Test
    void unknownChoiceIsRefused() {
        assertThatThrownBy(() -> detect("containerd", dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("containerd");
    }

    @Test
    void skipsWhatIsNotAnExecutableFile() throws IOException {
        Path notExecutable = Files.createDirectories(dir.resolve("nx"));
        Files.writeString(notExecutable.resolve("podman"), "");
        Files.createDirectories(dir.resolve("dirs/podman"));
        Path real = bin("real", "podman");

        assertThat(new PathLookup("::" + notExecutable + ":" + dir.resolve("dirs") + ":" + real).find("podman"))
                .contains(real.resolve("podman"));
    }
}
