package com.elcanotek.victoria.runner.state;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the state dir may be: never inside (or at) a folder that task containers mount, where every agent could read
 * the node key and rewrite the task journal. The Victoria home is the one folder each container mounts whole; the
 * daemon refuses to start with such a state dir, and the doctor says so.
 */
public final class StatePlacement {

    private StatePlacement() {
    }

    /** Why the state dir may not be used; empty when it may. Symbolic links are followed as far as the paths exist. */
    public static Optional<String> problem(Layout layout) {
        Path stateDir = layout.stateDir();
        Path home = layout.victoriaHome();
        if (inside(stateDir, home)) {
            return Optional.of("the state dir " + stateDir + " is inside the Victoria home " + home
                    + ", which every task container mounts: every agent could read the node key and rewrite the task"
                    + " journal; choose a state dir outside it (--state-dir) or another Victoria home (--victoria-home)");
        }
        return Optional.empty();
    }

    private static boolean inside(Path path, Path folder) {
        Path a = path.toAbsolutePath().normalize();
        Path b = folder.toAbsolutePath().normalize();
        return a.startsWith(b) || real(a).startsWith(real(b));
    }

    /** The path with the symbolic links of its longest existing part resolved. */
    private static Path real(Path path) {
        Path existing = NearestExisting.of(path);
        try {
            return existing.toRealPath().resolve(existing.relativize(path)).normalize();
        } catch (IOException e) {
            return path;
        }
    }
}
