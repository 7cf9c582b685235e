package com.elcanotek.victoria.runner.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;

import com.elcanotek.victoria.runner.config.InvalidOption;
import com.elcanotek.victoria.runner.config.OptionSources;
import com.elcanotek.victoria.runner.config.RunnerConfig;
import com.elcanotek.victoria.runner.container.ContainerRuntimes;
import com.elcanotek.victoria.runner.container.PathLookup;
import com.elcanotek.victoria.runner.doctor.Doctor.RunnerFile;
import com.elcanotek.victoria.runner.doctor.Doctor;
import com.elcanotek.victoria.runner.doctor.Places;
import com.elcanotek.victoria.runner.doctor.Report;
import com.elcanotek.victoria.runner.doctor.ServiceAccount;
import java.util.function.UnaryOperator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.Unremovable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code victoria-runner doctor [--json] [--as-root]}: whether the runner can work on this host, one line per check.
 * Resolves the settings as the service does (the package's {@code runner.env} is read when no environment file is
 * named); started as root where the service runs as its own user, it runs again as that user.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Checks the configuration, the network to the orchestrator, the node's identity, the container "
                + "engine and the host; read-only, safe beside a running service. Exit 0 when no check failed, 1 otherwise.")
@Dependent
@Unremovable
public class DoctorCommand implements Callable<Integer> {

    /** Set in the environment of the doctor that root started as the service's user. */
    static final String STARTED_AS_ROOT = "VICTORIA_RUNNER_DOCTOR_STARTED_AS_ROOT";
    static final Path PACKAGE_ENVIRONMENT_FILE = Path.of("/etc/victoria-runner/runner.env");

    @ParentCommand
    RunCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object, for fleet tools.")
    boolean json;

    @Option(names = "--as-root", description = "Started as root, check as root instead of as the service's user.")
    boolean asRoot;

    @Inject
    ObjectMapper mapper;

    @Inject
    CommandLine.IFactory factory;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Map<String, String> process = System.getenv();
        long uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        boolean systemd = Files.isDirectory(Path.of("/run/systemd/system"));
        Optional<List<String>> systemctl = systemd ? new PathLookup(process.getOrDefault("PATH", ""))
                .find("systemctl").map(path -> List.of(path.toString())) : Optional.empty();
        boolean startedAsRoot = uid == 0 || process.containsKey(STARTED_AS_ROOT);
        if (uid == 0 && !asRoot) {
            Optional<ServiceAccount> account = ServiceAccount.find(systemctl, Path.of("/etc/passwd"));
            if (account.isPresent()) {
                try {
                    return asServiceUser(account.get());
                } catch (IOException noRunuser) {
                    spec.commandLine().getErr().println("Cannot run as " + account.get().user() + " (" + noRunuser.getMessage()
                            + "); checking as root instead");
                }
            }
        }
        List<String> args = arguments(process);
        Doctor doctor = new Doctor(mapper, Clock.systemUTC(), System.getProperty("user.name"), uid,
                Places.ofHost(), startedAsRoot ? systemctl : Optional.empty());
        Report report;
        try {
            RunnerConfig config = new ConfigLoader(factory, () -> new RunCommand(null, factory), args, process).get();
            Map<String, String> environment = Main.environment(args.toArray(String[]::new), process);
            report = doctor.examine(config, sources(args, environment, config), ContainerRuntimes.detect(config.containerRuntime(),
                    PathLookup.fromEnvironment(), mapper, config.registryAuthFile(), UnaryOperator.identity(),
                    config.network().proxy()::applyTo),
                    ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("unknown"));
        } catch (InvalidOption | CommandLine.ParameterException e) {
            report = doctor.invalid(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.json(mapper) : report.text());
        out.flush();
        return report.exitStatus();
    }

    /** The same command line, with the package's environment file when none is named and it is there to read. */
    private List<String> arguments(Map<String, String> process) {
        List<String> args = new ArrayList<>(parent.spec.commandLine().getParseResult().originalArgs());
        if (Main.environmentFile(args.toArray(String[]::new), process).isEmpty() && Files.isReadable(PACKAGE_ENVIRONMENT_FILE)) {
            args.addAll(0, List.of("--environment-file", PACKAGE_ENVIRONMENT_FILE.toString()));
        }
        return args;
    }

    /** Where the settings came from: the files to examine, and the source of the node name. */
    private static Doctor.Sources sources(List<String> args, Map<String, String> environment, RunnerConfig config) {
        String[] argv = args.toArray(String[]::new);
        List<RunnerFile> files = new ArrayList<>();
        Path configFile = Optional.ofNullable(Main.configFileArgument(argv))
                .or(() -> Optional.ofNullable(environment.get(OptionSources.environmentName("config"))).map(Path::of))
                .orElse(Files.exists(OptionSources.DEFAULT_CONFIG_FILE) ? OptionSources.DEFAULT_CONFIG_FILE : null);
        Properties fileOptions = new Properties();
        if (configFile != null) {
            try (var reader = Files.newBufferedReader(configFile)) {
                fileOptions.load(reader);
            } catch (IOException e) {
                // the settings resolved, so it was read; a race with an edit shows in its own check
            }
            boolean secret = fileOptions.containsKey("registration-token") || fileOptions.getProperty("proxy", "").contains("@");
            files.add(new RunnerFile("the config file", configFile, secret));
        }
        Main.environmentFile(argv, environment).ifPresent(file -> files.add(new RunnerFile("the environment file", file, true)));
        Main.commandLineValue(argv, "--registration-token-file").map(Path::of)
                .or(() -> Optional.ofNullable(environment.get(OptionSources.environmentName("registration-token-file")))
                        .map(Path::of))
                .ifPresent(file -> files.add(new RunnerFile("the registration token file", file, true)));
        if (config.envFile() != null) {
            files.add(new RunnerFile("the containers' env file", config.envFile(), true));
        }
        if (config.registryAuthFile() != null) {
            files.add(new RunnerFile("the registry credentials", config.registryAuthFile(), true));
        }
        if (config.network().trust().caFile() != null) {
            files.add(new RunnerFile("the CA file", config.network().trust().caFile(), false));
        }
        Path credentials = config.layout().credentials();
        if (Files.exists(credentials)) {
            files.add(new RunnerFile("the node's key", credentials, true));
        }
        String name = Main.commandLineValue(argv, "--name").isPresent() ? "--name on the command line"
                : environment.containsKey(OptionSources.environmentName("name")) ? OptionSources.environmentName("name")
                : fileOptions.containsKey("name") ? "name in " + configFile : "the host name";
        return new Doctor.Sources(files, name);
    }

    /** Runs this doctor again as the service's user, with its unit's environment, and passes on what it prints. */
    private int asServiceUser(ServiceAccount account) throws IOException, InterruptedException {
        ProcessHandle.Info self = ProcessHandle.current().info();
        List<String> doctor = new ArrayList<>();
        doctor.add(self.command().orElseThrow(() -> new IllegalStateException("cannot tell this process's command")));
        self.arguments().ifPresent(arguments -> doctor.addAll(List.of(arguments)));
        Process child = new ProcessBuilder(account.command(doctor, STARTED_AS_ROOT)).inheritIO().start();
        return child.waitFor();
    }
}
