package com.elcanotek.victoria.runner.housekeeping;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;

/**
 * Removes files under the Victoria home that nobody touched for a while, so that a runner working
 * through thousands of tasks never fills its disk. What the agent keeps on purpose (its protocols,
 * data, settings and session database) is never touched, nor the folder of a task still held.
 * Symbolic links are removed as links, never followed.
 */
public class WorkspaceRetention {

    private static final Logger LOG = Logger.getLogger(WorkspaceRetention.class);

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
        Files.walkFileTree(home, sweep);
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

    private final class Sweep extends SimpleFileVisitor<Path> {
        private final Instant cutoff;
        private final Set<String> busyTasks;
        private final boolean dryRun;
        private final List<Path> files = new ArrayList<>();
        /** Per open directory: whether this sweep removed something in it, so that it may go once empty. */
        private final Deque<boolean[]> removedIn = new ArrayDeque<>();
        private long bytes;
        private int failures;

        Sweep(Instant cutoff, Set<String> busyTasks, boolean dryRun) {
            this.cutoff = cutoff;
            this.busyTasks = busyTasks;
            this.dryRun = dryRun;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (isProtected(dir, busyTasks)) {
                return FileVisitResult.SKIP_SUBTREE;
            }
            removedIn.push(new boolean[1]);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (isProtected(file, busyTasks) || !attrs.lastModifiedTime().toInstant().isBefore(cutoff)) {
                return FileVisitResult.CONTINUE;
            }
            try {
                if (!dryRun) {
                    Files.delete(file);
                }
                files.add(file);
                bytes += attrs.size();
                removedIn.peek()[0] = true;
            } catch (IOException e) {
                failures++;
                LOG.warnf("Cannot remove %s: %s", file, e.getMessage());
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
            failures++;
            LOG.warnf("Cannot read %s: %s", file, e.getMessage());
            return FileVisitResult.CONTINUE;
        }

        /** A folder this sweep emptied goes too; one that was empty already may be the agent's on purpose. */
        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
            boolean emptiedHere = removedIn.pop()[0];
            if (dir.equals(home) || !emptiedHere || dryRun) {
                return FileVisitResult.CONTINUE;
            }
            try {
                Files.delete(dir);
                removedIn.peek()[0] = true;
            } catch (DirectoryNotEmptyException stillUsed) {
                // newer files stay, and so does their folder
            } catch (IOException failure) {
                LOG.debugf("Cannot remove folder %s: %s", dir, failure.getMessage());
            }
            return FileVisitResult.CONTINUE;
        }
    }
}
