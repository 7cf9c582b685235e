package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The docker CLI against podman's Docker-compatible API. */
class DockerRuntimeTest extends RuntimeContractTest {

    @Override
    ContainerRuntime createRuntime(ObjectMapper mapper) {
        return new DockerRuntime(List.of(TestEngine.docker().toString(), "-H", TestEngine.SOCKET), mapper);
    }

    @Test
    void isTheDockerCliInFrontOfPodman() {
        assertThat(runtime.name()).isEqualTo("docker");
        // the engine's version, not the CLI's (28.x here)
        assertThat(runtime.version()).isEqualTo(new PodmanRuntime(List.of("podman"), new ObjectMapper()).version());
    }
}
