package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The podman CLI. */
public final class PodmanRuntime extends CliContainerRuntime {

    private final Path registryAuthFile;

    /** @param baseCommand the executable and global options, e.g. {@code [podman]} or {@code [podman, --remote]} */
    public PodmanRuntime(List<String> baseCommand, ObjectMapper mapper) {
        this(baseCommand, mapper, null);
    }

    /** @param registryAuthFile credentials of private registries (podman's {@code --authfile}); null: podman's own */
    public PodmanRuntime(List<String> baseCommand, ObjectMapper mapper, Path registryAuthFile) {
        super("podman", baseCommand, mapper);
        this.registryAuthFile = registryAuthFile;
    }

    @Override
    List<String> registryAuthOptions() {
        return registryAuthFile == null ? List.of() : List.of("--authfile", registryAuthFile.toString());
    }

    /** A remote podman (podman-remote, podman machine) reports its service as Server; a local one only Client. */
    @Override
    Engine queryEngine() {
        JsonNode version = callForJson(List.of("version", "--format", "json"));
        JsonNode server = version.path("Server").path("Version");
        String text = server.isTextual() ? server.asText() : version.path("Client").path("Version").asText();
        return new Engine(Engine.Kind.PODMAN, text);
    }

    @Override
    public LimitSupport limitSupport() {
        return LimitSupport.ofPodmanInfo(callForJson(List.of("info", "--format", "json")));
    }

    /** -t 0: plain rm -f first waits 10 s for SIGTERM to work, even when the container ignores it. */
    @Override
    public void remove(String nameOrId) {
        removeWith(List.of("rm", "-f", "-t", "0", nameOrId));
    }

    @Override
    ContainerPolicy.Dialect dialect() {
        return ContainerPolicy.Dialect.PODMAN;
    }

    /** {@code died}, not {@code exited}: podman 4.x records it for every end, including a container killed by stop. */
    @Override
    List<String> exitEventCommand() {
        return List.of("events", "--format", "json", "--filter", "event=died");
    }

    /** Podman leaves ContainerExitCode out when it is 0. */
    @Override
    Optional<ExitEvent> exitEvent(JsonNode event) {
        if (!"died".equals(event.path("Status").asText())) {
            return Optional.empty();
        }
        return Optional.of(new ExitEvent(event.path("ID").asText(), event.path("Name").asText(),
                event.path("ContainerExitCode").asInt(0)));
    }
}
