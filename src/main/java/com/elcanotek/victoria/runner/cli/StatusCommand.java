package com.elcanotek.victoria.runner.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

import com.elcanotek.victoria.runner.status.StatusReader;
import com.elcanotek.victoria.runner.status.StatusReport;
import com.elcanotek.victoria.runner.status.StatusText;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code victoria-runner status [--json]}: what the runner on this host is doing, read from its state dir alone. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Shows the node, the tasks in flight, the outbox and the last orchestrator contact, "
                + "read from the state dir (no orchestrator call).")
@Dependent
@Unremovable
public class StatusCommand implements Callable<Integer> {

    @ParentCommand
    RunCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object, for scripts.")
    boolean json;

    /** A field, not a constructor argument: picocli builds the subcommands of a bare {@code RunCommand} itself. */
    @Inject
    ObjectMapper mapper;

    @Override
    public Integer call() throws JsonProcessingException {
        Clock clock = Clock.systemUTC();
        StatusReport report = new StatusReader(parent.layout(System.getenv()), mapper, clock).read();
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? mapper.writeValueAsString(report) + "\n" : StatusText.format(report, clock.instant()));
        out.flush();
        return 0;
    }
}
