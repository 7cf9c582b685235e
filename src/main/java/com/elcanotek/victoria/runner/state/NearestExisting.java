package com.elcanotek.victoria.runner.state;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a path that may not exist yet is judged by (its owner, its file system, where its links lead): the path itself,
 * or the nearest folder above it that exists, the one it will be created in.
 */
public final class NearestExisting {

    private NearestExisting() {
    }

    /** The absolute path, or its nearest existing ancestor; the file system's root when none exists. */
    public static Path of(Path path) {
        Path existing = path.toAbsolutePath();
        while (!Files.exists(existing) && existing.getParent() != null) {
            existing = existing.getParent();
        }
        return existing;
    }
}
