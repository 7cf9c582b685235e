package com.elcanotek.victoria.runner.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of acting as the state dir's owner that need no second user (ServiceUserIT has one). */
class StateDirOwnerTest {

    @TempDir
    Path stateDir;

    @Test
    void theDaemonRecordsOnlyTheVariablesThatPointTheEngineCliAtItsEngine() throws Exception {
        Path file = new Layout(stateDir, stateDir.resolve("Victoria")).engineEnvironment();
        StateDirOwner.recordEngineEnvironment(file, Map.of("XDG_RUNTIME_DIR", "/run/victoria-runner", "DOCKER_HOST",
                "unix:///run/docker.sock", "VICTORIA_RUNNER_REGISTRATION_TOKEN", "secret", "CONTAINER_HOST", "a\nb", "PATH", "/bin"));

        assertThat(Files.readAllLines(file))
                .containsExactly("XDG_RUNTIME_DIR=/run/victoria-runner", "DOCKER_HOST=unix:///run/docker.sock");
        assertThat(Files.getPosixFilePermissions(file))
                .isEqualTo(StateFiles.OWNER_ONLY_FILE);
    }

    @Test
    void aStateDirOfOnesOwnIsActedOnAsItIs() throws Exception {
        StateDirOwner owner = StateDirOwner.of(stateDir.resolve("not/yet/made"));

        assertThat(owner.actsForOwner()).isFalse();
        assertThat(owner.asOwner(List.of("podman", "images"), stateDir.resolve("engine-environment"))).containsExactly("podman", "images");
        assertThat(owner.user()).isEqualTo(System.getProperty("user.name"));
    }
}
