package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * When a 137 the runner did not cause is reported as out of memory: only with a memory limit in force, or the engine
 * saying so. The real podman is asked about a container it does not have, so it says nothing of an OOM kill.
 */
class ContainerSupervisorOutOfMemoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ContainerRuntime PODMAN = new PodmanRuntime(List.of("podman"), JSON);
    private static final String GONE = "victoria-oom-test-no-such-container";

    @TempDir
    Path dir;

    private ContainerSupervisor supervisor(LimitSupport limits, String memory) {
        ContainerPolicy policy = new ContainerPolicy(memory, null, ContainerPolicy.DEFAULT_PIDS_LIMIT, null, true, true, List.of(),
                null, null);
        return new ContainerSupervisor(PODMAN, null, limits, new ContainerSupervisor.Settings(TestEngine.IMAGE, dir.resolve("Victoria"),
                null, dir.resolve("state"), "runner", Duration.ofSeconds(1), policy), null, null, Clock.systemUTC());
    }

    private static LimitSupport podmanInfo(boolean rootless, String manager) throws Exception {
        JsonNode info = JSON.readTree("""
                {"host": {"cgroupManager": "%s", "cgroupVersion": "v2", "cgroupControllers": ["cpu", "memory", "pids"],
                          "security": {"rootless": %s}}}""".formatted(manager, rootless));
        return LimitSupport.ofPodmanInfo(info);
    }

    @Test
    void aKillWithAnEnforcedMemoryLimitIsMostLikelyOutOfMemory() throws Exception {
        assertThat(supervisor(podmanInfo(true, "systemd"), "64m").outOfMemory(GONE, 137))
                .startsWith("out of memory, most likely").contains("memory limit of 64m", "exit code 137");
    }

    /** Rootless podman with cgroupfs takes --memory and ignores it: whatever killed the agent, it was not that limit. */
    @Test
    void aKillWithAMemoryLimitTheEngineDoesNotEnforceIsNoOutOfMemory() throws Exception {
        assertThat(supervisor(podmanInfo(true, "cgroupfs"), "64m").outOfMemory(GONE, 137)).isNull();
    }

    @Test
    void aKillWithoutAMemoryLimitIsNoOutOfMemory() throws Exception {
        assertThat(supervisor(podmanInfo(false, "systemd"), null).outOfMemory(GONE, 137)).isNull();
    }

    @Test
    void otherExitCodesAreNeverOutOfMemory() throws Exception {
        assertThat(supervisor(podmanInfo(false, "systemd"), "64m").outOfMemory(GONE, 1)).isNull();
        assertThat(supervisor(podmanInfo(false, "systemd"), "64m").outOfMemory(GONE, 143)).isNull();
    }

    /** The engine not asked (it did not answer at start): the limit set is taken to hold, as before. */
    @Test
    void anEngineThatDidNotSayLeavesTheLimitSetInForce() {
        assertThat(supervisor(LimitSupport.unknown("podman info timed out"), "64m").outOfMemory(GONE, 137))
                .startsWith("out of memory, most likely");
    }
}
