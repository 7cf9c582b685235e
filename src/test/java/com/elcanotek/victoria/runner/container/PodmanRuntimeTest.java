package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodmanRuntimeTest extends RuntimeContractTest {

    @Override
    ContainerRuntime createRuntime(ObjectMapper mapper) {
        return new PodmanRuntime(List.of(TestEngine.podman().toString()), mapper);
    }

    @Test
    void isPodman() {
        assertThat(runtime.name()).isEqualTo("podman");
    }
}
