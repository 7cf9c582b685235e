package com.elcanotek.victoria.runner.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

import com.elcanotek.victoria.runner.config.InvalidOption;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.ContainerRuntimes;
import com.elcanotek.victoria.runner.container.ImageInfo;
import com.elcanotek.victoria.runner.container.PathLookup;
import com.elcanotek.victoria.runner.housekeeping.ImagePruner;
import com.elcanotek.victoria.runner.housekeeping.WorkspaceRetention;
import com.elcanotek.victoria.runner.state.Layout;
import com.elcanotek.victoria.runner.state.StateDirOwner;
import com.elcanotek.victoria.runner.task.JournalEntry;
import com.elcanotek.victoria.runner.task.FileTaskJournal;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code victoria-runner cleanup [--dry-run] [--days N] [--no-prune-images]}: the daemon's daily
 * housekeeping, on demand. Safe beside a running daemon: the folders of the tasks in its journal are
 * left whole, and an image a container uses is never removed.
 */
@Command(name = "cleanup", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Removes files of the Victoria home and kept task output untouched for --days days (protected "
                + "paths and the folders of tasks in flight excepted) and, unless --no-prune-images, old Victoria images.")
@Dependent
@Unremovable
public class CleanupCommand implements Callable<Integer> {

    @ParentCommand
    RunCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--dry-run", description = "List what would be removed; remove nothing.")
    boolean dryRun;

    @Option(names = "--days", paramLabel = "N", description = "Age in days past which files go (default: --retention-days).")
    Long days;

    /** A field, not a constructor argument: picocli builds the subcommands of a bare {@code RunCommand} itself. */
    @Inject
    ObjectMapper json;

    @Override
    public Integer call() throws IOException {
        long maxAgeDays = days != null ? days : parent.housekeeping().retention().toDays();
        if (maxAgeDays <= 0) {
            throw new InvalidOption("--days", "must be greater than 0, got " + maxAgeDays);
        }
        Clock clock = Clock.systemUTC();
        Layout layout = parent.layout(System.getenv());
        Path home = layout.victoriaHome();
        FileTaskJournal journal = new FileTaskJournal(layout.journal(), json);
        WorkspaceRetention.Result swept = new WorkspaceRetention(home, clock).sweep(Duration.ofDays(maxAgeDays),
                WorkspaceRetention.taskFolders(journal.all().stream().map(JournalEntry::task)), dryRun);
        WorkspaceRetention.Result output = new WorkspaceRetention(layout.outputs(), clock).sweep(Duration.ofDays(maxAgeDays),
                Set.of(), dryRun);
        PrintWriter out = spec.commandLine().getOut();
        String verb = dryRun ? "would remove" : "removed";
        report(out, verb, swept, maxAgeDays, home);
        report(out, verb, output, maxAgeDays, layout.outputs());
        int status = swept.failures() + output.failures() > 0 ? 1 : 0;
        if (parent.housekeeping().pruneImages()) {
            status = Math.max(status, pruneImages(out, verb));
        }
        out.flush();
        return status;
    }

    private void report(PrintWriter out, String verb, WorkspaceRetention.Result swept, long maxAgeDays, Path under) {
        swept.files().forEach(file -> out.println(verb + " " + file));
        out.printf("%s %d file(s), %d bytes, untouched for %d days under %s%n", dryRun ? "Would remove" : "Removed",
                swept.files().size(), swept.bytes(), maxAgeDays, under);
    }

    /** The images of the daemon's engine: from a root shell, its user's (rootless podman keeps images per user). */
    private int pruneImages(PrintWriter out, String verb) {
        Layout layout = parent.layout(System.getenv());
        StateDirOwner owner = StateDirOwner.of(layout.stateDir());
        Optional<ContainerRuntime> runtime = ContainerRuntimes.detect(parent.runtime(), PathLookup.fromEnvironment(), json,
                null, command -> owner.asOwner(command, layout.engineEnvironment()), inherited -> { });
        if (runtime.isEmpty()) {
            spec.commandLine().getErr().println("No container runtime found: images not pruned");
            return 1;
        }
        if (owner.actsForOwner()) {
            out.println("Images of user " + owner.user() + ", who owns the state dir " + layout.stateDir()
                    + " and runs the daemon:");
        }
        for (ImageInfo image : new ImagePruner(runtime.get(), parent::containerImage).prune(dryRun)) {
            out.println(verb + " image " + ImagePruner.shortId(image) + " " + image.repoTags());
        }
        return 0;
    }
}
