package com.elcanotek.victoria.runner.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

import com.elcanotek.victoria.runner.config.InvalidOption;
import com.elcanotek.victoria.runner.container.ContainerException;
import com.elcanotek.victoria.runner.container.ContainerInfo;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.ContainerRuntimes;
import com.elcanotek.victoria.runner.container.ContainerSpec;
import com.elcanotek.victoria.runner.container.ContainerState;
import com.elcanotek.victoria.runner.container.PathLookup;
import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.node.CredentialsStore;
import com.elcanotek.victoria.runner.secrets.EnvFileValues;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.elcanotek.victoria.runner.state.Layout;
import com.elcanotek.victoria.runner.task.TaskJournal;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code victoria-runner logs TASK_ID [--follow]}: what a task's container printed. While the container is there
 * (running, or exited and not yet removed), from the engine; after that, the output the runner kept in its state dir,
 * until housekeeping removes it after {@code --retention-days}. Secrets are masked as in everything the runner writes.
 * Run it as the daemon's user: the state dir is its alone, and rootless podman shows only that user's containers.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Shows what a task's container printed (stdout and stderr): from the engine while the container is "
                + "there, else the output kept after it was removed (for --retention-days days); secrets masked.")
@Dependent
@Unremovable
public class LogsCommand implements Callable<Integer> {

    @ParentCommand
    RunCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TASK_ID", description = "The task's whole id, as status shows it.")
    String taskId;

    @Option(names = { "-f", "--follow" }, description = "Go on printing until the container ends (a task already over: "
            + "its kept output, at once).")
    boolean follow;

    /** A field, not a constructor argument: picocli builds the subcommands of a bare {@code RunCommand} itself. */
    @Inject
    ObjectMapper json;

    @Override
    public Integer call() throws IOException {
        if (!TaskJournal.isUsableId(taskId)) {
            throw new InvalidOption("TASK_ID", "'" + taskId + "' is not a task id");
        }
        Layout layout = parent.layout(System.getenv());
        SecretMasker masker = masker(layout);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<ContainerRuntime> runtime = ContainerRuntimes.detect(parent.runtime(), PathLookup.fromEnvironment(), json);
        if (runtime.isPresent()) {
            try {
                Optional<ContainerInfo> container = runtime.get().list(Map.of(ContainerSpec.LABEL_TASK, taskId)).stream()
                        // a container of an earlier run may linger beside the one that runs
                        .max(Comparator.comparing(info -> info.state() == ContainerState.RUNNING));
                if (container.isPresent()) {
                    try (MaskedLines lines = new MaskedLines(out, masker)) {
                        runtime.get().logs(container.get().id(), 0, follow, lines);
                    }
                    return 0;
                }
            } catch (ContainerException e) {
                err.println("The engine could not be asked for the container of task " + taskId + " (" + e.getMessage()
                        + "); looking for its kept output");
                err.flush();
            }
        }
        Path kept = layout.taskOutput(taskId);
        if (Files.isRegularFile(kept)) {
            out.print(masker.mask(Files.readString(kept, StandardCharsets.UTF_8)));
            out.flush();
            return 0;
        }
        err.println("No output of task " + taskId + ": no container of it on this host, and none kept in " + layout.outputs()
                + " (kept output is removed after --retention-days days)");
        err.flush();
        return 1;
    }

    /**
     * The secrets a container can print: the env file's values and the node key; the registration token never reaches
     * one. Kept output was masked when it was written, and is masked again with what is known now.
     */
    private SecretMasker masker(Layout layout) {
        SecretMasker masker = new SecretMasker();
        masker.add(EnvFileValues.of(parent.envFile()));
        masker.add(new CredentialsStore(layout.credentials(), json).load().map(Credentials::apiKey)
                .map(Collections::singletonList).orElse(List.of()));
        return masker;
    }
}
