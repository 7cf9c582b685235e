package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** Picks the container CLI the operator asked for. */
public final class ContainerRuntimes {

    private ContainerRuntimes() {
    }

    /**
     * @param choice "podman", "docker" or "auto" (podman when both exist: it needs no daemon)
     * @return empty when the chosen CLI is not on the PATH
     * @throws IllegalArgumentException for any other choice
     */
    public static Optional<ContainerRuntime> detect(String choice, PathLookup path, ObjectMapper mapper) {
        return detect(choice, path, mapper, null);
    }

    /**
     * @param registryAuthFile credentials of private registries: podman's {@code --authfile}, or, for docker, the
     *                         {@code config.json} of a config dir (its folder becomes {@code --config}); null: the CLI's own
     */
    public static Optional<ContainerRuntime> detect(String choice, PathLookup path, ObjectMapper mapper, Path registryAuthFile) {
        return detect(choice, path, mapper, registryAuthFile, UnaryOperator.identity(), inherited -> { });
    }

    /**
     * @param launch what runs the CLI's command line, e.g. as another user; the identity runs it as it is
     * @param environment adjusts the environment of each CLI process, e.g. {@code ProxySettings::applyTo}
     */
    public static Optional<ContainerRuntime> detect(String choice, PathLookup path, ObjectMapper mapper, Path registryAuthFile,
            UnaryOperator<List<String>> launch, Consumer<Map<String, String>> environment) {
        return switch (choice.strip().toLowerCase(Locale.ROOT)) {
            case "podman" -> podman(path, mapper, registryAuthFile, launch, environment);
            case "docker" -> docker(path, mapper, registryAuthFile, launch, environment);
            case "auto" -> podman(path, mapper, registryAuthFile, launch, environment)
                    .or(() -> docker(path, mapper, registryAuthFile, launch, environment));
            default -> throw new IllegalArgumentException(
                    "container runtime must be podman, docker or auto, not: " + choice);
        };
    }

    private static Optional<ContainerRuntime> podman(PathLookup path, ObjectMapper mapper, Path registryAuthFile,
            UnaryOperator<List<String>> launch, Consumer<Map<String, String>> environment) {
        return path.find("podman").map(exe -> new PodmanRuntime(launch.apply(List.of(exe.toString())), mapper, registryAuthFile,
                environment));
    }

    /** No -H: the docker CLI reads DOCKER_HOST (and its context) from the environment it inherits. */
    private static Optional<ContainerRuntime> docker(PathLookup path, ObjectMapper mapper, Path registryAuthFile,
            UnaryOperator<List<String>> launch, Consumer<Map<String, String>> environment) {
        return path.find("docker").map(exe -> new DockerRuntime(launch.apply(registryAuthFile == null ? List.of(exe.toString())
                : List.of(exe.toString(), "--config", registryAuthFile.toAbsolutePath().getParent().toString())), mapper,
                environment));
    }
}
