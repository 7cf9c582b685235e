package com.elcanotek.victoria.runner.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.config.ConfigProvider;

import com.elcanotek.victoria.runner.config.InvalidOption;
import com.elcanotek.victoria.runner.config.OptionSources;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

/**
 * Entry point. Usage errors exit 2 with one line naming the option; nothing is started. Commands
 * that are not the daemon (help, version, status, cleanup, drain, resume, doctor, logs) move the health listener to a
 * random
 * loopback port, so they run while a daemon holds the configured one.
 */
@QuarkusMain
public class Main implements QuarkusApplication {

    private static final List<String> ONE_SHOT = List.of("-h", "--help", "-V", "--version");
    private static final List<String> SUBCOMMANDS = List.of("status", "cleanup", "drain", "resume", "doctor", "logs");
    /** Options that take no value: a subcommand name may follow them. */
    private static final List<String> FLAGS = List.of("-v", "--verbose", "--prune-images", "--no-prune-images", "--json",
            "--dry-run", "--ca-file-only", "--ca-to-containers", "--as-root");

    private final CommandLine.IFactory factory;
    private final RunCommand command;

    public Main(CommandLine.IFactory factory, @TopCommand RunCommand command) {
        this.factory = factory;
        this.command = command;
    }

    public static void main(String... args) {
        StartupProperties.of(args, System.getenv()).forEach(System::setProperty);
        if (List.of(args).stream().anyMatch(ONE_SHOT::contains) || runsSubcommand(args)) {
            System.setProperty("quarkus.management.port", "0");
        }
        Quarkus.run(Main.class, args);
    }

    @Override
    public int run(String... args) {
        CommandLine commandLine = new CommandLine(command, factory);
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            e.getCommandLine().getErr().println(e.getMessage() + " (see --help)");
            return CommandLine.ExitCode.USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            if (e instanceof InvalidOption) {
                cl.getErr().println(e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            throw e;
        });
        try {
            commandLine.setDefaultValueProvider(OptionSources.load(environment(args, System.getenv()), configFileArgument(args),
                    Main::profileDefault));
        } catch (InvalidOption e) {
            commandLine.getErr().println(e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        return commandLine.execute(args);
    }

    /** A default of the application's profile: how {@code quarkus:dev} points at a local orchestrator. */
    static Optional<String> profileDefault(String option) {
        return ConfigProvider.getConfig().getOptionalValue("runner.defaults." + option, String.class);
    }

    /**
     * The environment options are read from: the process's, with the assignments of {@code --environment-file}
     * (or {@code VICTORIA_RUNNER_ENVIRONMENT_FILE}) over it, which, like {@code --config}, must be known first.
     */
    static Map<String, String> environment(String[] args, Map<String, String> process) {
        return OptionSources.environment(process, environmentFile(args, process).orElse(null));
    }

    static Optional<Path> environmentFile(String[] args, Map<String, String> process) {
        return commandLineValue(args, "--environment-file")
                .or(() -> Optional.ofNullable(process.get(OptionSources.environmentName("environment-file"))))
                .filter(value -> !value.isBlank()).map(String::strip).map(Path::of);
    }

    /** {@code --config} must be known before the other options are resolved against the file it names. */
    static Path configFileArgument(String... args) {
        return commandLineValue(args, "--config").map(Path::of).orElse(null);
    }

    /** The value of {@code --option VALUE} or {@code --option=VALUE} on the command line. */
    static Optional<String> commandLineValue(String[] args, String option) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(option) && i + 1 < args.length) {
                return Optional.of(args[i + 1]);
            }
            if (args[i].startsWith(option + "=")) {
                return Optional.of(args[i].substring(option.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** A subcommand name that is not the value of an option (as in {@code --name status}). */
    static boolean runsSubcommand(String... args) {
        for (int i = 0; i < args.length; i++) {
            boolean valueOfOption = i > 0 && args[i - 1].startsWith("-") && !args[i - 1].contains("=")
                    && !FLAGS.contains(args[i - 1]);
            if (SUBCOMMANDS.contains(args[i]) && !valueOfOption) {
                return true;
            }
        }
        return false;
    }
}
