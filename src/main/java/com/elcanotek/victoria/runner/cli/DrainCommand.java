package com.elcanotek.victoria.runner.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

import com.elcanotek.victoria.runner.state.DrainFlag;
import com.elcanotek.victoria.runner.state.Layout;
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
 * {@code victoria-runner drain [--wait]}: the runner on this host claims nothing new from now on, also after a
 * restart, until {@code resume}; the tasks it holds go on. Talks to the daemon through the state dir.
 */
@Command(name = "drain", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Claims no new task (also after a restart) until 'resume'; held tasks go on to their end.")
@Dependent
@Unremovable
public class DrainCommand implements Callable<Integer> {

    /** How often --wait looks at the journal. */
    private static final Duration LOOK_EVERY = Duration.ofSeconds(1);

    @ParentCommand
    RunCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--wait", description = "Return only once no task is held (for scripted maintenance).")
    boolean await;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "With --wait: give up after this long, exit 1; 0 waits for ever (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    /** A field, not a constructor argument: picocli builds the subcommands of a bare {@code RunCommand} itself. */
    @Inject
    ObjectMapper mapper;

    @Override
    public Integer call() throws InterruptedException {
        Layout layout = parent.layout(System.getenv());
        PrintWriter out = spec.commandLine().getOut();
        boolean newly = new DrainFlag(layout.drainFlag()).set(Clock.systemUTC().instant());
        out.println(newly ? "Draining: the runner claims no new task until 'victoria-runner resume'."
                : "Already draining.");
        out.flush();
        if (!await) {
            return 0;
        }
        FileTaskJournal journal = new FileTaskJournal(layout.journal(), mapper);
        long deadline = timeoutSeconds > 0 ? System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos() : Long.MAX_VALUE;
        int shown = -1;
        for (List<JournalEntry> held = journal.all(); !held.isEmpty(); held = journal.all()) {
            if (held.size() != shown) {
                shown = held.size();
                out.println("Waiting for " + shown + " task(s) to end...");
                out.flush();
            }
            if (System.nanoTime() > deadline) {
                out.println("Still " + shown + " task(s) held after " + timeoutSeconds + " s.");
                out.flush();
                return 1;
            }
            Thread.sleep(LOOK_EVERY.toMillis());
        }
        out.println("No task is held: the runner is drained.");
        out.flush();
        return 0;
    }
}
