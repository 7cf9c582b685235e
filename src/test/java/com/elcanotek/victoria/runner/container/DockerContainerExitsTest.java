package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** The docker CLI's event stream, from podman's Docker-compatible API. */
class DockerContainerExitsTest extends ContainerExitsContractTest {

    @Override
    ContainerRuntime createRuntime(ObjectMapper mapper) {
        return new DockerRuntime(List.of(TestEngine.docker().toString(), "-H", TestEngine.SOCKET), mapper);
    }
}
