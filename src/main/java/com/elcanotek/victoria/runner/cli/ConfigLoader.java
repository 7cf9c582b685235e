package com.elcanotek.victoria.runner.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.function.Supplier;

import com.elcanotek.victoria.runner.config.EnvironmentFile;
import com.elcanotek.victoria.runner.config.InvalidOption;
import com.elcanotek.victoria.runner.config.OptionSources;
import com.elcanotek.victoria.runner.config.RunnerConfig;

import picocli.CommandLine;

/**
 * The daemon's settings resolved again as at its start: the same command line, the process environment with the
 * environment file read anew, the config file read anew. A reload asks this; it throws, naming the option, what the
 * start would have refused.
 */
final class ConfigLoader implements Supplier<RunnerConfig> {

    private final CommandLine.IFactory factory;
    private final Supplier<RunCommand> command;
    private final List<String> args;
    private final Map<String, String> processEnvironment;

    /** @param command a new command to parse into, never run: the subcommands name it as their parent */
    ConfigLoader(CommandLine.IFactory factory, Supplier<RunCommand> command, List<String> args,
            Map<String, String> processEnvironment) {
        this.factory = factory;
        this.command = command;
        this.args = List.copyOf(args);
        this.processEnvironment = withoutStartAssignments(processEnvironment, this.args);
    }

    /**
     * The process environment without what systemd took from the environment file at start: a line deleted from the
     * file since must not live on in the process's copy of it.
     */
    private static Map<String, String> withoutStartAssignments(Map<String, String> process, List<String> args) {
        Optional<Path> file = Main.environmentFile(args.toArray(String[]::new), process);
        if (file.isEmpty()) {
            return process;
        }
        Map<String, String> base = new HashMap<>(process);
        try {
            EnvironmentFile.read(file.get()).forEach(base::remove);
        } catch (InvalidOption unreadable) {
            // the start read it; a reload that cannot says so itself
        }
        return base;
    }

    /**
     * @throws com.elcanotek.victoria.runner.config.InvalidOption a missing, unreadable or invalid setting
     * @throws CommandLine.ParameterException a value of the wrong type (picocli's message names the option)
     */
    @Override
    public RunnerConfig get() {
        String[] argv = args.toArray(String[]::new);
        Map<String, String> environment = Main.environment(argv, processEnvironment);
        RunCommand parsed = command.get();
        CommandLine commandLine = new CommandLine(parsed, factory);
        commandLine.setDefaultValueProvider(OptionSources.load(environment, Main.configFileArgument(argv), Main::profileDefault));
        commandLine.parseArgs(argv);
        return parsed.toConfig(environment);
    }
}
