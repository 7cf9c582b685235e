package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

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
        return switch (choice.strip().toLowerCase(Locale.ROOT)) {
            case "podman" -> podman(path, mapper);
            case "docker" -> docker(path, mapper);
            case "auto" -> podman(path, mapper).or(() -> docker(path, mapper));
            default -> throw new IllegalArgumentException(
                    "container runtime must be podman, docker or auto, not: " + choice);
        };
    }

    private static Optional<ContainerRuntime> podman(PathLookup path, ObjectMapper mapper) {
        return path.find("podman").map(exe -> new PodmanRuntime(List.of(exe.toString()), mapper));
    }

    /** No -H: the docker CLI reads DOCKER_HOST (and its context) from the environment it inherits. */
    private static Optional<ContainerRuntime> docker(PathLookup path, ObjectMapper mapper) {
        return path.find("docker").map(exe -> new DockerRuntime(List.of(exe.toString()), mapper));
    }
}
