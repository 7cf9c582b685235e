package com.elcanotek.victoria.runner.container;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
 * @param capabilities    the capabilities the container keeps ({@code --cap-drop ALL}, then {@code --cap-add} each),
 *                        names without {@code CAP_}
 * @param devices         {@code --device} each (a path, {@code host:container[:perms]}, or a CDI name such as
 *                        {@code nvidia.com/gpu=all} where the engine supports CDI)
 * @param gpus            GPUs to hand the container ({@code all}, a count, or {@code device=0,1}): docker's
 *                        {@code --gpus}, podman's CDI devices {@code nvidia.com/gpu=...}; null: none
 * @param devicesPerTask  0: every task gets all of {@code gpus} and {@code devices}; more: each task gets that many of
 *                        its own out of the {@link #devicePool}, the rest of the devices shared as before
 * @param pull            the engine's pull policy for each task ({@code always}, {@code newer}, {@code missing},
 *                        {@code never}); null: the engine's default (missing), the image kept fresh in the background
 */
public record ContainerPolicy(String memory, String cpus, int pidsLimit, String shmSize, boolean init,
        boolean noNewPrivileges, List<String> capabilities, List<String> devices, String gpus, int devicesPerTask,
        String pull) {

    /** A runaway fork bomb is stopped; no real agent run comes near 4096 processes. */
    public static final int DEFAULT_PIDS_LIMIT = 4096;
    /**
     * What Victoria Terminal's entrypoint needs as root before it drops to its user: CHOWN, DAC_OVERRIDE and FOWNER
     * to give that user its home and files, SETUID and SETGID to switch to it ({@code setpriv}), and KILL for the init
     * (root) to pass a stop on to the agent (another uid). What the engines grant besides (NET_RAW: forged packets on
     * the host's network, MKNOD, SYS_CHROOT, SETFCAP, SETPCAP, NET_BIND_SERVICE, AUDIT_WRITE, FSETID) no agent needs.
     */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETGID",
            "SETUID");
    /** Linux's capabilities (capabilities(7), kernel 6.x), as both engines name them. */
    public static final Set<String> KNOWN_CAPABILITIES = Set.of("AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE",
            "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID",
            "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN",
            "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
            "SYSLOG", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE",
            "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "WAKE_ALARM");
    public static final ContainerPolicy DEFAULT = new ContainerPolicy(null, null, DEFAULT_PIDS_LIMIT, null, true, true,
            DEFAULT_CAPABILITIES, List.of(), null, 0, null);
    private static final String GPU_LIST = "device=";
    private static final String PODMAN_GPU = "nvidia.com/gpu=";

    public ContainerPolicy {
        capabilities = List.copyOf(capabilities);
        for (String capability : capabilities) {
            if (!KNOWN_CAPABILITIES.contains(capability)) {
                throw new IllegalArgumentException("unknown capability: " + capability);
            }
        }
        devices = List.copyOf(devices);
        for (String device : devices) {
            if (device.isBlank() || device.startsWith("-")) {
                throw new IllegalArgumentException("invalid device: " + device);
            }
        }
        if (devicesPerTask < 0) {
            throw new IllegalArgumentException("devices per task must be 0 or more, got " + devicesPerTask);
        }
        if (devicesPerTask > 0) {
            List<String> pool = pool(gpus, devices);
            if (gpus != null && !gpus.startsWith(GPU_LIST)) {
                throw new IllegalArgumentException("each task's own devices must be listed, as --gpus device=0,1,... or as "
                        + "--device CDI names (vendor.com/class=name): --gpus " + gpus + " gives every task all of them");
            }
            if (pool.size() < devicesPerTask) {
                throw new IllegalArgumentException(devicesPerTask + " devices per task, but " + (pool.isEmpty()
                        ? "none to give out: list them as --gpus device=0,1,... or as --device CDI names (vendor.com/class=name)"
                        : "only " + pool.size() + " given: " + String.join(", ", pool)));
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

    /**
     * What each task gets its own share of: the GPUs {@code --gpus device=...} lists (indices or UUIDs), or else the
     * CDI devices among {@code --device}; the other devices go to every task.
     */
    public List<String> devicePool() {
        return pool(gpus, devices);
    }

    private static List<String> pool(String gpus, List<String> devices) {
        if (gpus != null) {
            return gpus.startsWith(GPU_LIST) ? List.of(gpus.substring(GPU_LIST.length()).split(",")) : List.of();
        }
        return devices.stream().filter(ContainerPolicy::isCdiName).toList();
    }

    /** {@code vendor.com/class=name}, as opposed to a path ({@code /dev/x}, {@code /dev/x:/dev/y:rw}). */
    private static boolean isCdiName(String device) {
        return !device.startsWith("/") && device.contains("=");
    }

    /** How many tasks can have devices of their own at once; unbounded when every task gets all of them. */
    public int deviceSlots() {
        return devicesPerTask == 0 ? Integer.MAX_VALUE : devicePool().size() / devicesPerTask;
    }

    /**
     * This policy for a task that was given {@code assigned} out of the {@link #devicePool}: those in place of the
     * whole pool; none given, the policy as it is.
     */
    public ContainerPolicy forTask(List<String> assigned) {
        if (assigned.isEmpty()) {
            return this;
        }
        List<String> ownDevices = devices;
        String ownGpus = null;
        if (gpus != null) {
            ownGpus = GPU_LIST + String.join(",", assigned);
        } else {
            ownDevices = new ArrayList<>(devices.stream().filter(device -> !isCdiName(device)).toList());
            ownDevices.addAll(assigned);
        }
        return new ContainerPolicy(memory, cpus, pidsLimit, shmSize, init, noNewPrivileges, capabilities, ownDevices, ownGpus,
                0, pull);
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
        options.addAll(List.of("--cap-drop", "ALL"));
        capabilities.forEach(capability -> options.addAll(List.of("--cap-add", capability)));
        devices.forEach(device -> options.addAll(List.of("--device", device)));
        if (gpus != null && dialect == Dialect.DOCKER) {
            // the CLI reads the value as CSV: a list of devices is one quoted field, as in --gpus '"device=0,1"'
            options.addAll(List.of("--gpus", gpus.startsWith(GPU_LIST) ? '"' + gpus + '"' : gpus));
        } else if (gpus != null) {
            podmanGpus().forEach(gpu -> options.addAll(List.of("--device", PODMAN_GPU + gpu)));
        }
        if (pull != null) {
            options.add("--pull=" + (dialect == Dialect.DOCKER && pull.equals("newer") ? "always" : pull));
        }
        return options;
    }

    /**
     * Podman 4 has no {@code --gpus}: the GPUs are NVIDIA's CDI devices, one each. {@code all} is CDI's name for every
     * GPU, a count the first ones (as docker's count takes them), a list each of its entries.
     */
    private List<String> podmanGpus() {
        if (gpus.startsWith(GPU_LIST)) {
            return devicePool();
        }
        if (gpus.chars().allMatch(Character::isDigit)) {
            return java.util.stream.IntStream.range(0, Integer.parseInt(gpus)).mapToObj(Integer::toString).toList();
        }
        return List.of(gpus);
    }
}
