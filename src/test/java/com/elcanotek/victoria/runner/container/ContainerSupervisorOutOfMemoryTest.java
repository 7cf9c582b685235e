package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.elcanotek.victoria.runner.state.Layout;

/**
 * When a 137 the runner did not cause is reported as out of memory: only with a memory limit in force, or the engine
 * saying so. The real podman is asked about a container it does not have, so it says nothing of an OOM kill.
 */
class ContainerSupervisorOutOfMemoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ContainerRuntime PODMAN = new PodmanRuntime(List.of("podman"), JSON);

    @TempDir
    Path dir;

    private ContainerSupervisor supervisor(LimitSupport limits, String memory) {
        ContainerPolicy policy = new ContainerPolicy(memory, null, ContainerPolicy.DEFAULT_PIDS_LIMIT, null, true, true,
                ContainerPolicy.DEFAULT_CAPABILITIES, List.of(),
                null, 0, null);
        return new ContainerSupervisor(PODMAN, null, limits, new SecretMasker(), new ContainerSupervisor.Settings(TestEngine.IMAGE,
                new Layout(dir.resolve("state"), dir.resolve("Victoria")), null, "runner", Duration.ofSeconds(1), policy,
                TaskNetwork.NONE));
    }

    private static LimitSupport podmanInfo(boolean rootless, String manager) throws Exception {
        JsonNode info = JSON.readTree("""
                {"host": {"cgroupManager": "%s", "cgroupVersion": "v2", "cgroupControllers": ["cpu", "memory", "pids"],
                          "security": {"rootless": %s}}}""".formatted(manager, rootless));
        return LimitSupport.ofPodmanInfo(info);
    }

    @Test
    void aKillWithAnEnforcedMemoryLimitIsMostLikelyOutOfMemory() throws Exception {
        assertThat(supervisor(podmanInfo(true, "systemd"), "64m").outOfMemory(137, false))
                .startsWith("out of memory, most likely").contains("memory limit of 64m", "exit code 137");
    }

    /** Rootless podman with cgroupfs takes --memory and ignores it: whatever killed the agent, it was not that limit. */
    @Test
    void aKillWithAMemoryLimitTheEngineDoesNotEnforceIsNoOutOfMemory() throws Exception {
        assertThat(supervisor(podmanInfo(true, "cgroupfs"), "64m").outOfMemory(137, false)).isNull();
    }

    @Test
    void aKillWithoutAMemoryLimitIsNoOutOfMemory() throws Exception {
        assertThat(supervisor(podmanInfo(false, "systemd"), null).outOfMemory(137, false)).isNull();
    }

    @Test
    void otherExitCodesAreNeverOutOfMemory() throws Exception {
        assertThat(supervisor(podmanInfo(false, "systemd"), "64m").outOfMemory(1, false)).isNull();
        assertThat(supervisor(podmanInfo(false, "systemd"), "64m").outOfMemory(143, false)).isNull();
    }

    /** The engine not asked (it did not answer at start): the limit set is taken to hold, as before. */
    @Test
    void anEngineThatDidNotSayLeavesTheLimitSetInForce() {
        assertThat(supervisor(LimitSupport.unknown("podman info timed out"), "64m").outOfMemory(137, false))
                .startsWith("out of memory, most likely");
    }
}
