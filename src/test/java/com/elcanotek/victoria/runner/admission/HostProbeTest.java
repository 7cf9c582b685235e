package com.elcanotek.victoria.runner.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.container.ContainerPolicy;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.ContainerSpec;
import com.elcanotek.victoria.runner.container.PodmanRuntime;
import com.elcanotek.victoria.runner.container.TestEngine;
import com.elcanotek.victoria.runner.state.Layout;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The host probe against real podman and the test image: it starts a container with the tasks' options, so that
 * what only a start finds (here a device the host lacks, refused by the engine with exit 125) keeps claiming stopped.
 */
class HostProbeTest {

    private final ContainerRuntime runtime = new PodmanRuntime(List.of("podman"), new ObjectMapper());
    private final String runner = "probe-test-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path dir;

    @AfterEach
    void removeProbeContainers() {
        runtime.list(probeLabel()).forEach(left -> runtime.remove(left.id()));
    }

    @Test
    void aHostThatStartsContainersPassesAndKeepsNoContainer() {
        assertThat(probe(ContainerPolicy.DEFAULT).problem()).isEmpty();

        assertThat(runtime.list(probeLabel())).isEmpty();
    }

    @Test
    void aStartTheEngineRefusesWithTheTasksOptionsIsAProblemAndLeavesNoContainer() {
        String absent = "/dev/victoria-runner-absent-" + runner;
        ContainerPolicy withDevice = new ContainerPolicy(null, null, ContainerPolicy.DEFAULT_PIDS_LIMIT, null, true, true,
                ContainerPolicy.DEFAULT_CAPABILITIES,
                List.of(absent), null, 0, null);

        assertThat(probe(withDevice).problem()).get().asString()
                .startsWith("a container with the tasks' options cannot start: ").contains(absent);
        assertThat(runtime.list(probeLabel())).isEmpty();
    }

    @Test
    void aLinkPlantedAsTheTaskFoldersIsRefusedAndNothingIsWrittenWhereItPoints(@TempDir Path outside) throws Exception {
        Files.createDirectories(dir.resolve("home"));
        Files.createSymbolicLink(dir.resolve("home/tasks"), outside);

        assertThat(probe(ContainerPolicy.DEFAULT).problem()).get().asString()
                .startsWith("cannot write in " + dir.resolve("home/tasks")).contains("a symbolic link, refused");
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void aLinkPlantedAsTheProbesFolderIsRefusedAndNoContainerStarts(@TempDir Path outside) throws Exception {
        Files.createDirectories(dir.resolve("home/tasks"));
        Files.createSymbolicLink(dir.resolve("home/tasks/.host-probe"), outside);

        assertThat(probe(ContainerPolicy.DEFAULT).problem()).get().asString()
                .startsWith("cannot create the probe's folder: ").contains("a symbolic link, refused");
        assertThat(outside).isEmptyDirectory();
        assertThat(runtime.list(probeLabel())).isEmpty();
    }

    private HostProbe probe(ContainerPolicy policy) {
        Layout layout = new Layout(dir.resolve("state"), dir.resolve("home"));
        return new HostProbe(runtime, Map.of(ContainerSpec.LABEL_RUNNER, runner),
                () -> ContainerSpec.forProbe(TestEngine.IMAGE, layout, null, runner, policy), layout,
                DiskSpaceGuard.of(layout.victoriaHome(), 0));
    }

    private Map<String, String> probeLabel() {
        return Map.of(ContainerSpec.LABEL_PROBE, runner);
    }
}
