package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * The docker CLI, talking to a Docker engine or to podman's Docker-compatible API
 * ({@code docker -H unix:///run/podman/podman.sock}, or DOCKER_HOST, which the CLI reads itself).
 */
public final class DockerRuntime extends CliContainerRuntime {

    /** @param baseCommand the executable and global options, e.g. {@code [docker, -H, unix:///run/podman/podman.sock]} */
    public DockerRuntime(List<String> baseCommand, ObjectMapper mapper) {
        super("docker", baseCommand, mapper);
    }

    /** The Server part names its engine: podman's API lists a "Podman Engine" component. */
    @Override
    Engine queryEngine() {
        JsonNode server = callForJson(List.of("version", "--format", "{{json .Server}}"));
        boolean podman = false;
        for (JsonNode component : server.path("Components")) {
            podman |= component.path("Name").asText().startsWith("Podman");
        }
        return new Engine(podman ? Engine.Kind.PODMAN : Engine.Kind.DOCKER, server.path("Version").asText());
    }

    /**
     * Kill first: through podman's API, rm -f waits 10 s for SIGTERM before it kills, and the
     * docker CLI cannot pass podman's -t 0. Kill fails for a container that is not running,
     * which is fine: rm -f decides.
     */
    @Override
    public void remove(String nameOrId) {
        call(List.of("kill", nameOrId), COMMAND_TIMEOUT);
        removeWith(List.of("rm", "-f", nameOrId));
    }
}
