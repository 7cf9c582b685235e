package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The docker CLI's event stream, from a real Docker engine ({@link DockerEngine}). */
class DockerEngineContainerExitsTest extends ContainerExitsContractTest {

    @Override
    ContainerRuntime createRuntime(ObjectMapper mapper) {
        return DockerEngine.shared().runtime(mapper);
    }

    @Override
    TestEngine engine() {
        return DockerEngine.shared().cli();
    }
}
