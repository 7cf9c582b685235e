package com.elcanotek.victoria.runner.housekeeping;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.state.ConfinedFolder;

/**
 * Removes files under the Victoria home that nobody touched for a while, so that a runner working
 * through thousands of tasks never fills its disk. What the agent keeps on purpose (its protocols,
 * data, settings and session database) is never touched, nor the folder of a task still held.
 * Symbolic links are removed as links, never followed (see {@link ConfinedFolder}).
 */
public class WorkspaceRetention {

    private static final Logger LOG = Logger.getLogger(WorkspaceRetention.class);
    /** Deeper folders are left alone: each level holds an open folder and a frame, and only an agent nests so deep. */
    static final int MAX_DEPTH = 64;

    /** Top-level entries of the Victoria home that retention never touches. */
    public static final Set<String> PROTECTED = Set.of("protocols", "forecasting_data", ".env", "VICTORIA.md",
            "email_last_checked.txt", ".crush", ".cache");

    /** What a sweep removed, or would remove in a dry run. */
    public record Result(List<Path> files, long bytes, int failures) {
    }

    private final Path home;
    private final Clock clock;

    public WorkspaceRetention(Path home, Clock clock) {
        this.home = home.toAbsolutePath().normalize();
        this.clock = clock;
    }

    /**
     * @param busyTasks short ids of tasks still held: their {@code tasks/<id8>/} folders are kept whole
     * @param dryRun    list what would go, delete nothing
     */
    public Result sweep(Duration maxAge, Set<String> busyTasks, boolean dryRun) throws IOException {
        if (!Files.isDirectory(home)) {
            return new Result(List.of(), 0, 0);
        }
        Sweep sweep = new Sweep(clock.instant().minus(maxAge), busyTasks, dryRun);
        try (ConfinedFolder top = ConfinedFolder.open(home, home, false)) {
            sweep.folder(top, Path.of(""));
        }
        if (sweep.tooDeep > 0) {
            LOG.warnf("%d folder(s) nested deeper than %d levels in %s were left alone", sweep.tooDeep, MAX_DEPTH, home);
        }
        return new Result(List.copyOf(sweep.files), sweep.bytes, sweep.failures);
    }

    /** The {@code tasks/} folder names of these tasks: the ones a sweep must leave whole. */
    public static Set<String> taskFolders(Stream<TaskAssignment> tasks) {
        return tasks.map(TaskAssignment::shortId).collect(Collectors.toUnmodifiableSet());
    }

    private boolean isProtected(Path path, Set<String> busyTasks) {
        Path relative = home.relativize(path);
        if (relative.getNameCount() == 0 || relative.toString().isEmpty()) {
            return false;
        }
        if (PROTECTED.contains(relative.getName(0).toString())) {
            return true;
        }
        return relative.getNameCount() >= 2 && relative.getName(0).toString().equals("tasks")
                && busyTasks.contains(relative.getName(1).toString());
    }

    /**
     * One walk of the home, each folder opened through its parent and each entry looked at without following it:
     * agents write into the home while the sweep runs, and a folder swapped for a link to {@code /etc} between a look
     * and a removal must not make the runner delete what the link points to.
     */
    private final class Sweep {
        private final Instant cutoff;
        private final Set<String> busyTasks;
        private final boolean dryRun;
        private final List<Path> files = new ArrayList<>();
        private long bytes;
        private int failures;
        private int tooDeep;

        Sweep(Instant cutoff, Set<String> busyTasks, boolean dryRun) {
            this.cutoff = cutoff;
            this.busyTasks = busyTasks;
            this.dryRun = dryRun;
        }

        /** @return whether this sweep removed something in {@code dir}, which may then go too once empty */
        boolean folder(ConfinedFolder dir, Path relative) {
            boolean removedHere = false;
            for (String name : dir.names()) {
                Path entry = relative.resolve(name);
                if (isProtected(home.resolve(entry), busyTasks)) {
                    continue;
                }
                try {
                    Optional<BasicFileAttributes> found = dir.attributes(name);
                    if (found.isEmpty()) {
                        continue;
                    }
                    if (found.get().isDirectory()) {
                        removedHere |= subfolder(dir, name, entry);
                    } else if (found.get().lastModifiedTime().toInstant().isBefore(cutoff)) {
                        // a file, or a link: removed as what it is, never followed
                        if (!dryRun) {
                            dir.delete(name);
                        }
                        files.add(home.resolve(entry));
                        bytes += found.get().size();
                        removedHere = true;
                    }
                } catch (IOException | RuntimeException e) {
                    failures++;
                    LOG.warnf("Cannot remove %s: %s", home.resolve(entry), e.getMessage());
                }
            }
            return removedHere;
        }

        /** A folder this sweep emptied goes too; one that was empty already may be the agent's on purpose. */
        private boolean subfolder(ConfinedFolder parent, String name, Path entry) throws IOException {
            if (entry.getNameCount() > MAX_DEPTH) {
                tooDeep++;
                return false;
            }
            boolean emptied;
            try (ConfinedFolder inner = parent.folder(name, false)) {
                emptied = folder(inner, entry);
            }
            if (!emptied || dryRun) {
                return false;
            }
            try {
                parent.delete(name);
                return true;
            } catch (DirectoryNotEmptyException stillUsed) {
                // newer files stay, and so does their folder
                return false;
            } catch (IOException failure) {
                LOG.debugf("Cannot remove folder %s: %s", home.resolve(entry), failure.getMessage());
                return false;
            }
        }
    }
}
