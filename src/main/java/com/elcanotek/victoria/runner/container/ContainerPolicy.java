package com.elcanotek.victoria.runner.container;

import java.util.ArrayList;
import java.util.List;

/**
 * What a task's container may take from the host, and how it is hardened: the operator's choice, the same
 * for podman and docker.
 *
 * @param memory          {@code --memory} (e.g. {@code 8g}); null: no limit
 * @param cpus            {@code --cpus} (e.g. {@code 2.5}); null: no limit
 * @param pidsLimit       {@code --pids-limit}; 0: the engine's default
 * @param shmSize         {@code --shm-size} (e.g. {@code 1g}); null: the engine's default (64 MB)
 * @param init            {@code --init}: a tiny init as PID 1 reaps the agent's orphaned children and forwards signals
 * @param noNewPrivileges {@code --security-opt no-new-privileges}: no setuid binary raises the agent's privileges
 * @param devices         {@code --device} each (a path, {@code host:container[:perms]}, or a CDI name such as
 *                        {@code nvidia.com/gpu=all} where the engine supports CDI)
 * @param gpus            GPUs to hand the container ({@code all}, a count, or {@code device=0,1}): docker's
 *                        {@code --gpus}, podman's CDI device {@code nvidia.com/gpu=...}; null: none
 * @param pull            the engine's pull policy for each task ({@code always}, {@code newer}, {@code missing},
 *                        {@code never}); null: the engine's default (missing), the image kept fresh in the background
 */
public record ContainerPolicy(String memory, String cpus, int pidsLimit, String shmSize, boolean init,
        boolean noNewPrivileges, List<String> devices, String gpus, String pull) {

    /** A runaway fork bomb is stopped; no real agent run comes near 4096 processes. */
    public static final int DEFAULT_PIDS_LIMIT = 4096;
    public static final ContainerPolicy DEFAULT = new ContainerPolicy(null, null, DEFAULT_PIDS_LIMIT, null, true, true,
            List.of(), null, null);

    public ContainerPolicy {
        devices = List.copyOf(devices);
        for (String device : devices) {
            if (device.isBlank() || device.startsWith("-")) {
                throw new IllegalArgumentException("invalid device: " + device);
            }
        }
    }

    /** Where the two CLIs differ in what this policy becomes. */
    public enum Dialect {
        /** GPUs as the CDI device {@code nvidia.com/gpu=VALUE} (podman 4 has no --gpus) */
        PODMAN,
        /** GPUs with {@code --gpus VALUE} (the NVIDIA runtime hook); no {@code --pull=newer}, {@code always} is its match */
        DOCKER
    }

    /** The options of {@code run} that carry this policy, in the CLI's dialect. */
    public List<String> runOptions(Dialect dialect) {
        List<String> options = new ArrayList<>();
        if (memory != null) {
            options.addAll(List.of("--memory", memory));
        }
        if (cpus != null) {
            options.addAll(List.of("--cpus", cpus));
        }
        if (pidsLimit > 0) {
            options.addAll(List.of("--pids-limit", Integer.toString(pidsLimit)));
        }
        if (shmSize != null) {
            options.addAll(List.of("--shm-size", shmSize));
        }
        if (init) {
            options.add("--init");
        }
        if (noNewPrivileges) {
            options.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        devices.forEach(device -> options.addAll(List.of("--device", device)));
        if (gpus != null) {
            options.addAll(dialect == Dialect.DOCKER ? List.of("--gpus", gpus) : List.of("--device", "nvidia.com/gpu=" + gpus));
        }
        if (pull != null) {
            options.add("--pull=" + (dialect == Dialect.DOCKER && pull.equals("newer") ? "always" : pull));
        }
        return options;
    }
}
