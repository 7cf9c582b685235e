package com.elcanotek.victoria.runner.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;

import com.elcanotek.victoria.runner.state.DrainFlag;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code victoria-runner resume}: a drained runner claims tasks again. */
@Command(name = "resume", mixinStandardHelpOptions = true, description = "Ends a drain: the runner claims tasks again.")
@Dependent
@Unremovable
public class ResumeCommand implements Callable<Integer> {

    @ParentCommand
    RunCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        boolean was = new DrainFlag(parent.layout(System.getenv()).drainFlag()).clear();
        PrintWriter out = spec.commandLine().getOut();
        out.println(was ? "Resumed: the runner claims tasks again." : "Not draining: nothing to resume.");
        out.flush();
        return 0;
    }
}
