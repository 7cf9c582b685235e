package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** The podman CLI. */
public final class PodmanRuntime extends CliContainerRuntime {

    /** @param baseCommand the executable and global options, e.g. {@code [podman]} or {@code [podman, --remote]} */
    public PodmanRuntime(List<String> baseCommand, ObjectMapper mapper) {
        super("podman", baseCommand, mapper);
    }

    /** A remote podman (podman-remote, podman machine) reports its service as Server; a local one only Client. */
    @Override
    Engine queryEngine() {
        JsonNode version = callForJson(List.of("version", "--format", "json"));
        JsonNode server = version.path("Server").path("Version");
        String text = server.isTextual() ? server.asText() : version.path("Client").path("Version").asText();
        return new Engine(Engine.Kind.PODMAN, text);
    }

    /** -t 0: plain rm -f first waits 10 s for SIGTERM to work, even when the container ignores it. */
    @Override
    public void remove(String nameOrId) {
        removeWith(List.of("rm", "-f", "-t", "0", nameOrId));
    }
}
