package com.elcanotek.victoria.runner.container;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/** Finds executables the way a shell does, in a PATH value given explicitly so tests can choose it. */
public final class PathLookup {

    private final String path;

    public PathLookup(String path) {
        this.path = path;
    }

    /** The PATH of this process. */
    public static PathLookup fromEnvironment() {
        String path = System.getenv("PATH");
        return new PathLookup(path == null ? "" : path);
    }

    /** The first executable regular file named {@code executable} in a PATH directory. */
    public Optional<Path> find(String executable) {
        for (String dir : path.split(File.pathSeparator)) {
            // an empty entry means "current directory" to a shell; a service must not run what lies there
            if (dir.isEmpty()) {
                continue;
            }
            try {
                Path candidate = Path.of(dir, executable);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            } catch (InvalidPathException ignored) {
                // a garbled PATH entry: a shell skips it too
            }
        }
        return Optional.empty();
    }
}
