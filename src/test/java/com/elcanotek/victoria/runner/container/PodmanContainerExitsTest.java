package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

class PodmanContainerExitsTest extends ContainerExitsContractTest {

    @Override
    ContainerRuntime createRuntime(ObjectMapper mapper) {
        return new PodmanRuntime(List.of(TestEngine.podman().toString()), mapper);
    }
}
