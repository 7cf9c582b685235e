package com.elcanotek.victoria.runner.doctor;

import java.util.LinkedHashMap;
import java.util.Map;

import com.elcanotek.victoria.runner.container.ContainerPolicy;

/**
 * Which of the configured limits ({@code --memory}, {@code --cpus}, {@code --pids-limit}) the engine can enforce on
 * this host, and why not. The rules, as measured (see the README's container policy): rootless podman on cgroup v1
 * ignores every limit; on cgroup v2 it enforces them only through systemd with the controllers delegated to its user
 * (without a systemd user session it falls back to cgroupfs and ignores them, exit 0); a rootful engine enforces what
 * the controllers it reports allow. Kept in one class of its own so that the daemon's own judgement can share it.
 */
final class LimitSupport {

    private LimitSupport() {
    }

    /** The configured limits the engine would not enforce, option to why; empty when all configured ones hold. */
    static Map<String, String> unenforced(ContainerPolicy policy, EngineFacts engine) {
        Map<String, String> configured = new LinkedHashMap<>();
        if (policy.memory() != null) {
            configured.put("--memory " + policy.memory(), "memory");
        }
        if (policy.cpus() != null) {
            configured.put("--cpus " + policy.cpus(), "cpu");
        }
        if (policy.pidsLimit() > 0) {
            configured.put("--pids-limit " + policy.pidsLimit(), "pids");
        }
        Map<String, String> unenforced = new LinkedHashMap<>();
        configured.forEach((option, controller) -> {
            String why = why(controller, engine);
            if (why != null) {
                unenforced.put(option, why);
            }
        });
        return unenforced;
    }

    private static String why(String controller, EngineFacts engine) {
        if (engine.rootless() && engine.cgroupVersion() == 1) {
            return "rootless on cgroup v1: the engine ignores every limit";
        }
        if (engine.rootless() && engine.cgroupVersion() == 2 && !"systemd".equals(engine.cgroupManager())) {
            return "rootless with the " + engine.cgroupManager() + " cgroup manager (no systemd user session): the "
                    + "engine ignores limits";
        }
        if (!engine.controllers().contains(controller)) {
            return "the " + controller + " cgroup controller is not available to the engine";
        }
        return null;
    }
}
