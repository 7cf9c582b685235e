package com.elcanotek.victoria.runner.container;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An image as the engine reports it.
 *
 * @param repoTags    {@code repository:tag} names; empty for an image a newer pull of its tag left dangling
 * @param repoDigests {@code repository@sha256:...}: a pulled image keeps these after losing its tag, which is
 *                    how an old Victoria image is still recognised
 */
public record ImageInfo(String id, Instant created, List<String> repoTags, List<String> repoDigests) {

    public ImageInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(created, "created");
        repoTags = List.copyOf(repoTags);
        repoDigests = List.copyOf(repoDigests);
    }

    /** Whether a tag or a digest names {@code repository} (without tag or digest). */
    public boolean belongsTo(String repository) {
        return repoTags.stream().anyMatch(tag -> repositoryOf(tag).equals(repository))
                || repoDigests.stream().anyMatch(digest -> repositoryOf(digest).equals(repository));
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
