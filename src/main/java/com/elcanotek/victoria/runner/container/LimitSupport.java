package com.elcanotek.victoria.runner.container;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Which of a task container's limits the engine enforces on this host, as the engine reports it ({@code podman info},
 * {@code docker info}). An engine takes {@code --memory}, {@code --cpus} and {@code --pids-limit} everywhere and
 * applies them only through cgroups it may write: rootless podman on cgroup v1 never does, and on cgroup v2 only with
 * the systemd cgroup manager (a scope in the user's own systemd instance); with cgroupfs it drops them without a
 * word. {@code --shm-size} is the size of a tmpfs and holds everywhere.
 *
 * @param memory whether {@code --memory} holds
 * @param cpus   whether {@code --cpus} holds
 * @param pids   whether {@code --pids-limit} holds
 * @param host   what the engine runs on, as an operator reads it ("rootless podman, cgroup v2, systemd cgroup manager")
 * @param reason why the limits that do not hold do not; null when all hold or nothing is known
 * @param known  false when the engine could not be asked: nothing is claimed then, either way
 */
public record LimitSupport(boolean memory, boolean cpus, boolean pids, String host, String reason, boolean known) {

    /** Asks the engine ({@link ContainerRuntime#info()}); one that does not answer gives {@link #unknown}. */
    public static LimitSupport of(ContainerRuntime runtime) {
        try {
            return ofInfo(runtime.name(), runtime.info());
        } catch (ContainerException e) {
            return unknown("the engine did not answer: " + e.getMessage());
        }
    }

    /** The engine did not say: every limit is taken to hold, and {@link #warning} says that nobody knows. */
    public static LimitSupport unknown(String why) {
        return new LimitSupport(true, true, true, "unknown", why, false);
    }

    /** From what the CLI {@code cli} ({@code podman} or {@code docker}) says of its engine. */
    public static LimitSupport ofInfo(String cli, JsonNode info) {
        return cli.equals("docker") ? ofDockerInfo(info) : ofPodmanInfo(info);
    }

    /** From {@code podman info --format json}: {@code host.cgroupVersion}, {@code cgroupManager}, {@code cgroupControllers}. */
    public static LimitSupport ofPodmanInfo(JsonNode info) {
        JsonNode host = info.path("host");
        boolean rootless = host.path("security").path("rootless").asBoolean(false);
        String version = host.path("cgroupVersion").asText("");
        String manager = host.path("cgroupManager").asText("");
        String description = (rootless ? "rootless podman" : "podman") + ", cgroup " + version + ", " + manager
                + " cgroup manager";
        if (rootless && version.equals("v1")) {
            return none(description, "rootless podman sets no cgroup limits on cgroup v1");
        }
        if (rootless && !manager.equals("systemd")) {
            return none(description, "rootless podman with the " + manager + " cgroup manager has no cgroup it may write on"
                    + " cgroup v2: it needs the systemd manager and the user's own systemd instance (loginctl enable-linger)");
        }
        Set<String> controllers = new HashSet<>();
        host.path("cgroupControllers").forEach(controller -> controllers.add(controller.asText()));
        return ofControllers(controllers.contains("memory"), controllers.contains("cpu"), controllers.contains("pids"),
                description);
    }

    /** From {@code docker info --format '{{json .}}'}: the engine's own MemoryLimit, CpuCfsQuota and PidsLimit. */
    public static LimitSupport ofDockerInfo(JsonNode info) {
        boolean rootless = false;
        for (JsonNode option : info.path("SecurityOptions")) {
            rootless |= option.asText().equals("name=rootless");
        }
        String description = (rootless ? "rootless docker" : "docker") + ", cgroup v" + info.path("CgroupVersion").asText("?")
                + ", " + info.path("CgroupDriver").asText("?") + " cgroup driver";
        return ofControllers(info.path("MemoryLimit").asBoolean(false), info.path("CpuCfsQuota").asBoolean(false),
                info.path("PidsLimit").asBoolean(false), description);
    }

    private static LimitSupport none(String host, String reason) {
        return new LimitSupport(false, false, false, host, reason, true);
    }

    private static LimitSupport ofControllers(boolean memory, boolean cpu, boolean pids, String host) {
        List<String> missing = new ArrayList<>();
        if (!memory) {
            missing.add("memory");
        }
        if (!cpu) {
            missing.add("cpu");
        }
        if (!pids) {
            missing.add("pids");
        }
        String reason = missing.isEmpty() ? null : "the engine has no " + String.join(", ", missing) + " controller";
        return new LimitSupport(memory, cpu, pids, host, reason, true);
    }

    /** The options of {@code policy} that this engine takes and does not enforce, as the operator set them. */
    public List<String> unenforced(ContainerPolicy policy) {
        List<String> options = new ArrayList<>();
        if (policy.memory() != null && !memory) {
            options.add("--memory " + policy.memory());
        }
        if (policy.cpus() != null && !cpus) {
            options.add("--cpus " + policy.cpus());
        }
        if (policy.pidsLimit() > 0 && !pids) {
            options.add("--pids-limit " + policy.pidsLimit());
        }
        return options;
    }

    /** Whether a SIGKILL of the agent can be the memory limit's: one is set and the engine enforces it. */
    public boolean memoryLimitInForce(ContainerPolicy policy) {
        return policy.memory() != null && memory;
    }

    /** What an operator must hear about {@code policy} on this engine, in one line; empty when every limit set holds. */
    public Optional<String> warning(ContainerPolicy policy) {
        if (!known) {
            boolean anyLimit = policy.memory() != null || policy.cpus() != null || policy.pidsLimit() > 0;
            return anyLimit ? Optional.of("cannot tell whether the engine enforces the task containers' limits: " + reason)
                    : Optional.empty();
        }
        List<String> options = unenforced(policy);
        if (options.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("not enforced on this host (" + host + "): " + String.join(", ", options) + "; " + reason);
    }
}
