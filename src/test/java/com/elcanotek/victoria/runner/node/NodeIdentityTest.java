package com.elcanotek.victoria.runner.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The node's name: {@code --name}, else the kernel's host name, never one many hosts share. */
class NodeIdentityTest {

    @TempDir
    Path dir;

    @Test
    void theKernelsHostNameIsTheDefaultAndSaysWhereItComesFrom() throws IOException {
        Path hostname = kernelHostname("build-07\n");

        NodeIdentity.Name name = NodeIdentity.name(null, hostname);

        assertThat(name.value()).isEqualTo("build-07");
        assertThat(name.source()).isEqualTo("the host name (" + hostname + ")");
        assertThat(name.problem()).isEmpty();
        assertThat(NodeIdentity.hostname(hostname)).isEqualTo("build-07");
    }

    @Test
    void aGivenNameWinsWhateverTheHostIsCalled() throws IOException {
        NodeIdentity.Name name = NodeIdentity.name("  gpu-runner-3 ", kernelHostname("localhost"));

        assertThat(name.value()).isEqualTo("gpu-runner-3");
        assertThat(name.source()).isEqualTo("--name");
        assertThat(name.problem()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "localhost", "LOCALHOST", "localhost.localdomain", "(none)" })
    void aHostNameManyHostsShareIsNoNodeName(String shared) throws IOException {
        NodeIdentity.Name name = NodeIdentity.name("", kernelHostname(shared + "\n"));

        assertThat(name.problem()).get().asString().contains("'" + shared + "'").contains("--name");
    }

    @Test
    void anEmptyOrUnreadableHostNameIsNoNodeName() throws IOException {
        assertThat(NodeIdentity.name(null, kernelHostname("\n")).problem()).get().asString().contains("--name");
        assertThat(NodeIdentity.name(null, dir.resolve("absent")).problem()).get().asString().contains("--name");
    }

    @Test
    void theRegistrationNamesTheHostAndTheNodeAndFallsBackToTheNodeNameWithoutAHostName() {
        assertThat(new NodeIdentity("build-07", "gpu-runner-3", "debian").registerRequest().hostname()).isEqualTo("build-07");
        assertThat(new NodeIdentity("", "gpu-runner-3", "debian").registerRequest().hostname()).isEqualTo("gpu-runner-3");
    }

    private Path kernelHostname(String content) throws IOException {
        return Files.writeString(dir.resolve("hostname"), content);
    }
}
