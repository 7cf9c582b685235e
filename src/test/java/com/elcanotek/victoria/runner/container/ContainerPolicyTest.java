package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Devices of a task's own, out of the operator's: what each task's container is given, in both dialects. */
class ContainerPolicyTest {

    private static ContainerPolicy policy(List<String> devices, String gpus, int perTask) {
        return new ContainerPolicy(null, null, 0, null, false, false, List.of(), devices, gpus, perTask, null);
    }

    @Test
    void eachTaskGetsItsOwnGpusOutOfTheListedOnesByIndexInBothDialects() {
        ContainerPolicy pool = policy(List.of("/dev/fuse"), "device=0,1,2,3", 2);

        ContainerPolicy task = pool.forTask(List.of("2", "3"));

        assertThat(pool.devicePool()).containsExactly("0", "1", "2", "3");
        assertThat(pool.deviceSlots()).isEqualTo(2);
        assertThat(task.runOptions(ContainerPolicy.Dialect.PODMAN)).containsSequence("--device", "/dev/fuse",
                "--device", "nvidia.com/gpu=2", "--device", "nvidia.com/gpu=3").doesNotContain("nvidia.com/gpu=0");
        // the docker CLI reads --gpus as CSV: the list is one quoted field
        assertThat(task.runOptions(ContainerPolicy.Dialect.DOCKER)).containsSequence("--device", "/dev/fuse",
                "--gpus", "\"device=2,3\"");
    }

    @Test
    void eachTaskGetsItsOwnCdiDevicesAndEveryTaskTheDevicesThatAreNoCdiNames() {
        ContainerPolicy pool = policy(List.of("/dev/fuse", "vendor.example/gpu=a", "/dev/null:/dev/x:r", "vendor.example/gpu=b"),
                null, 1);

        ContainerPolicy task = pool.forTask(List.of("vendor.example/gpu=b"));

        assertThat(pool.devicePool()).containsExactly("vendor.example/gpu=a", "vendor.example/gpu=b");
        for (ContainerPolicy.Dialect dialect : ContainerPolicy.Dialect.values()) {
            assertThat(task.runOptions(dialect)).containsSequence("--device", "/dev/fuse", "--device", "/dev/null:/dev/x:r",
                    "--device", "vendor.example/gpu=b").doesNotContain("vendor.example/gpu=a");
        }
    }

    @Test
    void withoutDevicesPerTaskEveryTaskGetsAllAsBefore() {
        ContainerPolicy shared = policy(List.of("vendor.example/gpu=a", "vendor.example/gpu=b"), null, 0);

        assertThat(shared.deviceSlots()).isEqualTo(Integer.MAX_VALUE);
        assertThat(shared.forTask(List.of())).isSameAs(shared);
        assertThat(shared.runOptions(ContainerPolicy.Dialect.PODMAN)).containsSequence("--device", "vendor.example/gpu=a",
                "--device", "vendor.example/gpu=b");
    }

    /** Podman 4 has no --gpus: a count is the first GPUs, as docker's count takes them, each a CDI device. */
    @Test
    void podmanGetsGpusAsNvidiasCdiDevices() {
        assertThat(policy(List.of(), "all", 0).runOptions(ContainerPolicy.Dialect.PODMAN))
                .endsWith("--device", "nvidia.com/gpu=all").doesNotContain("--gpus");
        assertThat(policy(List.of(), "2", 0).runOptions(ContainerPolicy.Dialect.PODMAN))
                .endsWith("--device", "nvidia.com/gpu=0", "--device", "nvidia.com/gpu=1");
        assertThat(policy(List.of(), "2", 0).runOptions(ContainerPolicy.Dialect.DOCKER)).endsWith("--gpus", "2");
    }

    @Test
    void devicesPerTaskNeedTheDevicesListedAndEnoughOfThem() {
        assertThatThrownBy(() -> policy(List.of(), "all", 1)).hasMessageContaining("--gpus all gives every task all of them");
        assertThatThrownBy(() -> policy(List.of(), "device=0,1", 3)).hasMessageContaining("3 devices per task, but only 2 given: 0, 1");
        assertThatThrownBy(() -> policy(List.of("/dev/fuse"), null, 1)).hasMessageContaining("none to give out");
    }
}
