package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The docker CLI against a real Docker engine ({@link DockerEngine}). */
class DockerEngineRuntimeTest extends RuntimeContractTest {

    @Override
    ContainerRuntime createRuntime(ObjectMapper mapper) {
        return DockerEngine.shared().runtime(mapper);
    }

    @Override
    TestEngine engine() {
        return DockerEngine.shared().cli();
    }

    @Test
    void isTheDockerEngine() {
        assertThat(runtime.name()).isEqualTo("docker");
        // the engine's version, not the CLI's
        assertThat(runtime.version()).isEqualTo(engine().call("version", "--format", "{{.Server.Version}}").strip());
    }
}
