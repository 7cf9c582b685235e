package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;

/**
 * The docker CLI, talking to a Docker engine or to podman's Docker-compatible API
 * ({@code docker -H unix:///run/podman/podman.sock}, or DOCKER_HOST, which the CLI reads itself).
 */
public final class DockerRuntime extends CliContainerRuntime {

    /**
     * @param baseCommand the executable and global options, e.g. {@code [docker, -H, unix:///run/podman/podman.sock]};
     *                    private registries' credentials come with a global {@code --config DIR} (see ContainerRuntimes)
     */
    public DockerRuntime(List<String> baseCommand, ObjectMapper mapper) {
        super("docker", baseCommand, mapper);
    }

    /** Docker reads them from its config dir, a global option. */
    @Override
    List<String> registryAuthOptions() {
        return List.of();
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

    @Override
    public LimitSupport limitSupport() {
        return LimitSupport.ofDockerInfo(callForJson(List.of("info", "--format", "{{json .}}")));
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

    @Override
    ContainerPolicy.Dialect dialect() {
        return ContainerPolicy.Dialect.DOCKER;
    }

    /**
     * No {@code event=die} filter: podman's API (4.3) passes it on unmapped to its own filter, which
     * knows only {@code died}, and then nothing ever matches. The other events of this runner's
     * containers (a handful per task) are skipped here instead.
     */
    @Override
    List<String> exitEventCommand() {
        return List.of("events", "--format", "{{json .}}", "--filter", "type=container");
    }

    /** The exit code comes as a string attribute, as every docker event attribute does. */
    @Override
    Optional<ExitEvent> exitEvent(JsonNode event) {
        if (!"die".equals(event.path("Action").asText(event.path("status").asText()))) {
            return Optional.empty();
        }
        JsonNode actor = event.path("Actor");
        String code = actor.path("Attributes").path("exitCode").asText();
        return Optional.of(new ExitEvent(actor.path("ID").asText(event.path("id").asText()),
                actor.path("Attributes").path("name").asText(),
                code.matches("\\d{1,3}") ? Integer.valueOf(code) : null));
    }
}
