package com.elcanotek.victoria.runner.container;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * An image as the engine reports it.
 *
 * @param repoTags    {@code repository:tag} names; empty for an image a newer pull of its tag left dangling
 * @param repoDigests {@code repository@sha256:...}: docker keeps these for a pulled image after it lost its tag, which
 *                    is how an old Victoria image is still recognised there
 * @param formerNames podman's {@code NamesHistory}, every name the image had: podman 4 reports neither tags nor digests
 *                    for an image a newer pull of its tag left dangling, so this is how it is recognised there; docker
 *                    has none
 */
public record ImageInfo(String id, Instant created, List<String> repoTags, List<String> repoDigests,
        List<String> formerNames) {

    public ImageInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(created, "created");
        repoTags = List.copyOf(repoTags);
        repoDigests = List.copyOf(repoDigests);
        formerNames = List.copyOf(formerNames);
    }

    /** Whether a tag, a digest or a former name names {@code repository} (without tag or digest). */
    public boolean belongsTo(String repository) {
        return Stream.of(repoTags, repoDigests, formerNames).flatMap(List::stream)
                .anyMatch(name -> repositoryOf(name).equals(repository));
    }

    /** Whether a tag names another repository than {@code repository}: someone named this image for a use of theirs. */
    public boolean taggedOutside(String repository) {
        return repoTags.stream().anyMatch(tag -> !repositoryOf(tag).equals(repository));
    }

    /**
     * The repository of an image reference: {@code ghcr.io/elcanotek/victoria-terminal:latest} and
     * {@code ...@sha256:...} give {@code ghcr.io/elcanotek/victoria-terminal}. A colon before the last
     * slash is a registry port, not a tag.
     */
    public static String repositoryOf(String reference) {
        String name = reference;
        int digest = name.indexOf('@');
        if (digest >= 0) {
            name = name.substring(0, digest);
        }
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }
}
