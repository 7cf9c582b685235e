package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** The docker CLI's event stream, from a real Docker engine ({@link DockerEngine}). */
class DockerEngineContainerExitsTest extends ContainerExitsContractTest {

    @Override
    ContainerRuntime createRuntime(ObjectMapper mapper) {
        return new DockerRuntime(List.of(TestEngine.dockerCli().toString(), "-H", DockerEngine.shared().host()), mapper);
    }

    @Override
    TestEngine engine() {
        return DockerEngine.shared().cli();
    }
}
