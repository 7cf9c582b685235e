package com.elcanotek.victoria.runner.doctor;

import java.nio.file.Path;

import com.elcanotek.victoria.runner.container.LimitSupport;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an engine's {@code info} says that the doctor judges by.
 *
 * @param rootless whether the engine runs as an unprivileged user (rootless podman, rootless docker)
 * @param imageStore where it keeps images
 * @param limits which limits it enforces, by the rule the daemon judges by
 */
record EngineFacts(boolean rootless, Path imageStore, LimitSupport limits) {

    static EngineFacts ofPodman(JsonNode info) {
        String graphRoot = info.path("store").path("graphRoot").asText("");
        return new EngineFacts(info.path("host").path("security").path("rootless").asBoolean(false),
                graphRoot.isEmpty() ? null : Path.of(graphRoot), LimitSupport.ofPodmanInfo(info));
    }

    static EngineFacts ofDocker(JsonNode info) {
        boolean rootless = false;
        for (JsonNode option : info.path("SecurityOptions")) {
            rootless |= option.asText().contains("name=rootless");
        }
        String root = info.path("DockerRootDir").asText("");
        return new EngineFacts(rootless, root.isEmpty() ? null : Path.of(root), LimitSupport.ofDockerInfo(info));
    }
}
