package com.elcanotek.victoria.runner.container;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A container as the engine reports it.
 *
 * @param exitCode   only set when {@code state} is {@link ContainerState#EXITED}: engines report 0 for
 *                   containers that never finished, which must not read as success
 * @param startedAt  null when the container never started
 * @param finishedAt null while it runs or when it never ran
 * @param oomKilled  the kernel killed it for passing its memory limit (where the engine can tell)
 * @param image      the id of the image it runs ({@code sha256:...}, the digest of the image's config)
 */
public record ContainerInfo(String id, String name, ContainerState state, Integer exitCode,
        Instant startedAt, Instant finishedAt, Map<String, String> labels, boolean oomKilled, String image) {

    public ContainerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        labels = Map.copyOf(labels);
        if (state != ContainerState.EXITED) {
            exitCode = null;
        }
    }
}
