package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the engine's info says it enforces. The podman cases are the fields podman 4.3.1 printed in a Debian 12 guest
 * (cgroup v2) as the package's service user, and on this project's machines (hybrid cgroup v1, root).
 */
class LimitSupportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ContainerPolicy LIMITED = new ContainerPolicy("64m", "0.5", 4096, "32m", true, true,
            ContainerPolicy.DEFAULT_CAPABILITIES, List.of(), null, 0,
            null);

    private static JsonNode podman(boolean rootless, String version, String manager, String controllers)
            throws JsonProcessingException {
        return JSON.readTree("""
                {"host": {"cgroupManager": "%s", "cgroupVersion": "%s", "cgroupControllers": [%s],
                          "security": {"rootless": %s}}}""".formatted(manager, version, controllers, rootless));
    }

    @Test
    void rootlessPodmanOnCgroupV2WithTheSystemdManagerEnforcesTheControllersItHas() throws JsonProcessingException {
        LimitSupport support = LimitSupport.ofPodmanInfo(podman(true, "v2", "systemd", "\"cpu\", \"memory\", \"pids\""));

        assertThat(support.unenforced(LIMITED)).isEmpty();
        assertThat(support.warning(LIMITED)).isEmpty();
        assertThat(support.memoryLimitInForce(LIMITED)).isTrue();
        assertThat(support.host()).isEqualTo("rootless podman, cgroup v2, systemd cgroup manager");
    }

    /** The package's service before it used the user's systemd instance: podman lists the controllers all the same. */
    @Test
    void rootlessPodmanOnCgroupV2WithCgroupfsEnforcesNothingWhateverControllersItLists() throws JsonProcessingException {
        LimitSupport support = LimitSupport.ofPodmanInfo(podman(true, "v2", "cgroupfs", "\"cpu\", \"memory\", \"pids\""));

        assertThat(support.unenforced(LIMITED)).containsExactly("--memory 64m", "--cpus 0.5", "--pids-limit 4096");
        assertThat(support.memoryLimitInForce(LIMITED)).isFalse();
        assertThat(support.warning(LIMITED)).hasValueSatisfying(warning -> assertThat(warning)
                .startsWith("not enforced on this host (rootless podman, cgroup v2, cgroupfs cgroup manager): "
                        + "--memory 64m, --cpus 0.5, --pids-limit 4096; ")
                .contains("loginctl enable-linger"));
    }

    @Test
    void rootlessPodmanOnCgroupV1EnforcesNothing() throws JsonProcessingException {
        LimitSupport support = LimitSupport.ofPodmanInfo(podman(true, "v1", "systemd", "\"memory\", \"pids\", \"cpu\""));

        assertThat(support.unenforced(LIMITED)).hasSize(3);
        assertThat(support.warning(LIMITED)).hasValueSatisfying(
                warning -> assertThat(warning).endsWith("rootless podman sets no cgroup limits on cgroup v1"));
    }

    @Test
    void rootPodmanEnforcesWhatItsCgroupHasControllersFor() throws JsonProcessingException {
        assertThat(LimitSupport.ofPodmanInfo(podman(false, "v1", "cgroupfs",
                "\"cpuset\",\"cpu\",\"cpuacct\",\"blkio\",\"memory\",\"devices\",\"freezer\",\"pids\"")).unenforced(LIMITED))
                .isEmpty();

        LimitSupport noPids = LimitSupport.ofPodmanInfo(podman(false, "v2", "systemd", "\"cpu\", \"memory\""));
        assertThat(noPids.unenforced(LIMITED)).containsExactly("--pids-limit 4096");
        assertThat(noPids.warning(LIMITED)).hasValueSatisfying(warning -> assertThat(warning).endsWith("the engine has no pids controller"));
    }

    /** Only what is set is promised: no memory limit set, none to warn of, and no 137 read as one. */
    @Test
    void limitsNotSetAreNotWarnedOf() throws JsonProcessingException {
        LimitSupport none = LimitSupport.ofPodmanInfo(podman(true, "v2", "cgroupfs", ""));
        ContainerPolicy unlimited = new ContainerPolicy(null, null, 0, "1g", true, true,
                ContainerPolicy.DEFAULT_CAPABILITIES, List.of(), null, 0, null);

        assertThat(none.warning(unlimited)).isEmpty();
        assertThat(none.memoryLimitInForce(unlimited)).isFalse();
        assertThat(none.warning(ContainerPolicy.DEFAULT)).hasValueSatisfying(
                warning -> assertThat(warning).contains(": --pids-limit " + ContainerPolicy.DEFAULT_PIDS_LIMIT + ";"));
    }

    @Test
    void dockerSaysItselfWhatItEnforces() throws JsonProcessingException {
        LimitSupport docker = LimitSupport.ofDockerInfo(JSON.readTree("""
                {"MemoryLimit": true, "SwapLimit": false, "CpuCfsQuota": true, "PidsLimit": false, "CgroupDriver": "cgroupfs",
                 "CgroupVersion": "1", "SecurityOptions": ["name=seccomp,profile=default"]}"""));

        assertThat(docker.unenforced(LIMITED)).containsExactly("--pids-limit 4096");
        assertThat(docker.host()).isEqualTo("docker, cgroup v1, cgroupfs cgroup driver");
        assertThat(LimitSupport.ofDockerInfo(JSON.readTree("""
                {"MemoryLimit": true, "CpuCfsQuota": true, "PidsLimit": true, "CgroupDriver": "systemd", "CgroupVersion": "2",
                 "SecurityOptions": ["name=seccomp,profile=default", "name=rootless", "name=cgroupns"]}""")).host())
                .isEqualTo("rootless docker, cgroup v2, systemd cgroup driver");
    }

    /** An engine that did not answer at start: nothing is claimed either way, and that is said. */
    @Test
    void unknownClaimsNothingAndSaysSo() {
        LimitSupport unknown = LimitSupport.unknown("the engine did not answer: podman info timed out");

        assertThat(unknown.unenforced(LIMITED)).isEmpty();
        assertThat(unknown.memoryLimitInForce(LIMITED)).isTrue();
        assertThat(unknown.warning(LIMITED)).contains(
                "cannot tell whether the engine enforces the task containers' limits: the engine did not answer: podman info timed out");
    }
}
