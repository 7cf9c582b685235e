package com.elcanotek.victoria.runner.container;

import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A container CLI (podman or docker) as the runner uses it. Every call runs the CLI once with a
 * time limit; failures throw {@link ContainerException} carrying the CLI's own message.
 */
public interface ContainerRuntime {

    /** "podman" or "docker": the CLI, which may differ from the engine behind it. */
    String name();

    /** Version of the engine that runs the containers (asked once, then cached). */
    String version();

    /** Starts a detached container and returns its full id; pulls the image when missing. */
    String start(ContainerSpec spec);

    /**
     * Starts streaming the exits of containers carrying all of {@code labels}, from {@code since}
     * on (events already past are replayed as far as the engine still has them).
     *
     * @throws ContainerException when the CLI cannot be started
     */
    ExitEventStream exitEvents(Map<String, String> labels, Instant since);

    /** SIGTERM, then SIGKILL once {@code grace} has passed (such a container exits with 137). */
    void stop(String nameOrId, Duration grace);

    /**
     * Copies what the container printed, stdout and stderr as one stream in the engine's order, to {@code sink} as it
     * comes: all there is (within a time limit), or with {@code follow} until the container ends.
     *
     * @param lastLines only the last this many lines; 0 for all
     * @throws ContainerException when the CLI fails or, without follow, takes too long (what it printed of its
     *         error went to {@code sink} too)
     */
    void logs(String nameOrId, int lastLines, boolean follow, OutputStream sink);

    /** Removes the container, killing it if it runs; a container that does not exist is no error. */
    void remove(String nameOrId);

    /** Containers in any state carrying all of {@code labels}. */
    List<ContainerInfo> list(Map<String, String> labels);

    /** Full ids of the running containers carrying all of {@code labels}: one {@code ps}, no inspect. */
    Set<String> runningIds(Map<String, String> labels);

    /** Empty when there is no such container. */
    Optional<ContainerInfo> inspect(String nameOrId);

    /** Asks the engine for its version now, uncached. @throws ContainerException when it does not answer */
    String ping();

    /** Every image the engine holds, tagged or not. */
    List<ImageInfo> images();

    /** Removes an image unless a container (running or not) still uses it, which is an error. */
    void removeImage(String id);

    /**
     * What the engine says of itself ({@code podman info --format json}, {@code docker info --format '{{json .}}'}):
     * its cgroups, storage and security, for the doctor. @throws ContainerException when it does not answer
     */
    default JsonNode info() {
        throw new ContainerException(name() + " info is not available", ContainerException.NO_EXIT_CODE);
    }

    /** Pulls the image from its registry; each line the CLI prints of its progress goes to {@code progress}. */
    void pull(String image, Consumer<String> progress);

    /** The id of the image this name stands for on this host; empty when the host does not have it. */
    Optional<String> imageId(String image);

    /**
     * Ends the event streams of {@link #exitEvents} for these labels that a killed predecessor left behind: a
     * process of this user running that command whose parent is not this process.
     *
     * @return how many were ended
     */
    int endLeftoverExitEvents(Map<String, String> labels);
}
