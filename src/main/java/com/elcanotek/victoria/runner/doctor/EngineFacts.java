package com.elcanotek.victoria.runner.doctor;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

import com.elcanotek.victoria.runner.container.LimitSupport;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an engine's {@code info} says that the doctor judges by.
 *
 * @param rootless whether the engine runs as an unprivileged user (rootless podman, rootless docker)
 * @param cgroupVersion 1 (hybrid or legacy) or 2 (unified); 0 when unknown
 * @param cgroupManager podman's {@code systemd} or {@code cgroupfs}, docker's cgroup driver
 * @param controllers the cgroup controllers the engine can use for its containers ({@code memory}, {@code cpu},
 *        {@code pids}, ...), as it reports them
 * @param imageStore where it keeps images
 * @param limits which limits it enforces, by the rule the daemon judges by
 */
record EngineFacts(boolean rootless, int cgroupVersion, String cgroupManager, Set<String> controllers, Path imageStore,
        LimitSupport limits) {

    EngineFacts {
        controllers = Set.copyOf(controllers);
    }

    static EngineFacts ofPodman(JsonNode info) {
        JsonNode host = info.path("host");
        Set<String> controllers = new LinkedHashSet<>();
        host.path("cgroupControllers").forEach(controller -> controllers.add(controller.asText()));
        String graphRoot = info.path("store").path("graphRoot").asText("");
        return new EngineFacts(host.path("security").path("rootless").asBoolean(false),
                version(host.path("cgroupVersion").asText("")), host.path("cgroupManager").asText(""), controllers,
                graphRoot.isEmpty() ? null : Path.of(graphRoot), LimitSupport.ofPodmanInfo(info));
    }

    /** Docker reports each limit it can enforce ({@code MemoryLimit}, ...), not controllers: they are named after them. */
    static EngineFacts ofDocker(JsonNode info) {
        Set<String> controllers = new LinkedHashSet<>();
        if (info.path("MemoryLimit").asBoolean(false)) {
            controllers.add("memory");
        }
        if (info.path("CpuCfsQuota").asBoolean(false)) {
            controllers.add("cpu");
        }
        if (info.path("PidsLimit").asBoolean(false)) {
            controllers.add("pids");
        }
        boolean rootless = false;
        for (JsonNode option : info.path("SecurityOptions")) {
            rootless |= option.asText().contains("name=rootless");
        }
        String root = info.path("DockerRootDir").asText("");
        return new EngineFacts(rootless, version(info.path("CgroupVersion").asText("")), info.path("CgroupDriver").asText(""),
                controllers, root.isEmpty() ? null : Path.of(root), LimitSupport.ofDockerInfo(info));
    }

    private static int version(String text) {
        return text.endsWith("2") ? 2 : text.endsWith("1") ? 1 : 0;
    }
}
