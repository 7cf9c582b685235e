package com.elcanotek.victoria.runner.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import jakarta.enterprise.context.Dependent;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.config.HousekeepingConfig;
import com.elcanotek.victoria.runner.container.ContainerPolicy;
import com.elcanotek.victoria.runner.config.InvalidOption;
import com.elcanotek.victoria.runner.config.OptionSources;
import com.elcanotek.victoria.runner.config.RunnerConfig;
import com.elcanotek.victoria.runner.daemon.Daemon;
import com.elcanotek.victoria.runner.network.NetworkSettings;
import com.elcanotek.victoria.runner.network.ProxySettings;
import com.elcanotek.victoria.runner.network.Trust;
import com.elcanotek.victoria.runner.node.NodeIdentity;
import com.elcanotek.victoria.runner.state.Layout;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code victoria-runner [options]}: the daemon. Every option can also come from
 * {@code VICTORIA_RUNNER_<OPTION>} or the config file (see {@link OptionSources}).
 */
@Command(name = "victoria-runner", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Runs Victoria Terminal tasks of an All-Time Quarterback orchestrator in containers on this host.",
        footer = { "", "Each option can also be set as VICTORIA_RUNNER_<OPTION> (e.g. VICTORIA_RUNNER_ORCHESTRATOR_URL)",
                "or as 'option-name = value' in the config file; the command line wins, then the environment, then the file." },
        subcommands = { StatusCommand.class, CleanupCommand.class, DrainCommand.class, ResumeCommand.class, DoctorCommand.class,
                LogsCommand.class })
@TopCommand
@Dependent
public class RunCommand implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(RunCommand.class);
    private static final Set<String> RUNTIMES = Set.of("auto", "podman", "docker");
    private static final Set<String> PULL_POLICIES = Set.of("always", "newer", "missing", "never");
    private static final Pattern SIZE = Pattern.compile("[1-9][0-9]*[bkmgBKMG]?");
    private static final Pattern CPUS = Pattern.compile("([0-9]+(\\.[0-9]+)?|\\.[0-9]+)");

    @Spec
    CommandSpec spec;

    @Option(names = "--orchestrator-url", paramLabel = "URL", description = "Orchestrator base URL (required).")
    String orchestratorUrl;

    @Option(names = "--registration-token", paramLabel = "TOKEN",
            description = "Registration token (required unless --registration-token-file). Prefer the environment "
                    + "or the file: a command-line value shows in process listings.")
    String registrationToken;

    @Option(names = "--registration-token-file", paramLabel = "FILE", description = "File holding the registration token.")
    Path registrationTokenFile;

    @Option(names = "--name", description = "Node name shown in the orchestrator (default: the host name, as the kernel has "
            + "it; required where that is empty or localhost).")
    String name;

    @Option(names = "--poll-interval", paramLabel = "SECONDS", defaultValue = "30",
            description = "Seconds between polls for tasks (default: ${DEFAULT-VALUE}).")
    long pollInterval;

    @Option(names = "--heartbeat-interval", paramLabel = "SECONDS", defaultValue = "30",
            description = "Seconds between heartbeats, at most 60 (default: ${DEFAULT-VALUE}).")
    long heartbeatInterval;

    @Option(names = "--lease-renewal-interval", paramLabel = "SECONDS", defaultValue = "45",
            description = "Seconds between 'running' reports that renew each held task's lease and notice a "
                    + "cancellation, at most 120 (default: ${DEFAULT-VALUE}).")
    long leaseRenewalInterval;

    @Option(names = "--container-image", paramLabel = "IMAGE", scope = ScopeType.INHERIT, defaultValue = "ghcr.io/elcanotek/victoria-terminal:latest",
            description = "Victoria Terminal image (default: ${DEFAULT-VALUE}).")
    String containerImage;

    @Option(names = "--victoria-home", paramLabel = "DIR", scope = ScopeType.INHERIT, description = "Victoria home mounted into each container, "
            + "created if missing (default: ~/Victoria).")
    Path victoriaHome;

    @Option(names = "--env-file", paramLabel = "FILE", description = "Environment file passed to each container.")
    Path envFile;

    @Option(names = "--container-runtime", paramLabel = "RUNTIME", scope = ScopeType.INHERIT, defaultValue = "auto",
            description = "podman, docker or auto (prefers podman) (default: ${DEFAULT-VALUE}).")
    String containerRuntime;

    @Option(names = "--state-dir", paramLabel = "DIR", scope = ScopeType.INHERIT, description = "Where credentials and the task journal live "
            + "(default: $STATE_DIRECTORY under systemd, else ~/.local/state/victoria-runner).")
    Path stateDir;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT, description = "Config file (default: /etc/victoria-runner/runner.conf, if present).")
    Path configFile;

    @Option(names = "--environment-file", paramLabel = "FILE", description = "File of VICTORIA_RUNNER_<OPTION>=value "
            + "lines, as systemd's EnvironmentFile= reads them, over the process environment; read again on reload (SIGHUP). "
            + "On the command line or in the environment only: it is read before the config file.")
    Path environmentFile;

    @Option(names = "--ca-file", paramLabel = "FILE", scope = ScopeType.INHERIT, description = "PEM CA bundle to trust for "
            + "HTTPS besides the JVM's and the system's authorities (SSL_CERT_FILE, SSL_CERT_DIR).")
    Path caFile;

    @Option(names = "--ca-file-only", scope = ScopeType.INHERIT, description = "Trust the --ca-file alone, not the JVM's and "
            + "the system's authorities.")
    boolean caFileOnly;

    @Option(names = "--ca-to-containers", description = "Give task containers the authorities the runner trusts, the "
            + "--ca-file among them: a read-only bundle named by SSL_CERT_FILE, REQUESTS_CA_BUNDLE and NODE_EXTRA_CA_CERTS.")
    boolean caToContainers;

    @Option(names = "--proxy", paramLabel = "URL", scope = ScopeType.INHERIT, description = "HTTP proxy of orchestrator "
            + "calls, downloads, podman pulls and task containers, http://[user:password@]host:port (default: https_proxy, "
            + "HTTPS_PROXY, http_proxy, HTTP_PROXY). Credentials: prefer the environment, argv shows in process listings.")
    String proxy;

    @Option(names = "--no-proxy", paramLabel = "LIST", scope = ScopeType.INHERIT, description = "Hosts reached without the "
            + "proxy: names (with their subdomains), IP addresses, CIDR ranges, optional :port, or * (default: no_proxy, "
            + "NO_PROXY).")
    String noProxy;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "Connect timeout for orchestrator calls (default: ${DEFAULT-VALUE}).")
    long connectTimeout;

    @Option(names = "--read-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Read timeout for orchestrator calls (default: ${DEFAULT-VALUE}).")
    long readTimeout;

    @Option(names = "--logs-timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "Read timeout for session log submissions (default: ${DEFAULT-VALUE}).")
    long logsTimeout;

    @Option(names = "--max-concurrent-tasks", paramLabel = "N", defaultValue = "1",
            description = "Tasks run at the same time (default: ${DEFAULT-VALUE}).")
    int maxConcurrentTasks;

    @Option(names = "--max-file-size", paramLabel = "BYTES", defaultValue = "1073741824",
            description = "Largest task file accepted (default: ${DEFAULT-VALUE}).")
    long maxFileSize;

    @Option(names = "--max-task-files-size", paramLabel = "BYTES", defaultValue = "4294967296",
            description = "Largest total of one task's files; each file is also checked against the free disk "
                    + "(--min-free-disk kept) before it is written (default: ${DEFAULT-VALUE}).")
    long maxTaskFilesSize;

    @Option(names = "--logs-max-bytes", paramLabel = "BYTES", defaultValue = "1048576",
            description = "Largest session log body sent (default: ${DEFAULT-VALUE}).")
    int logsMaxBytes;

    @Option(names = "--on-shutdown", paramLabel = "ACTION", defaultValue = "leave",
            description = "What a stopping runner does with running task containers: leave them running, to be "
                    + "re-adopted by the next start, or stop them and report the tasks as errors (default: ${DEFAULT-VALUE}).")
    String onShutdown;

    @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "How long a stopping runner keeps delivering pending reports (default: ${DEFAULT-VALUE}).")
    long shutdownTimeout;

    @Option(names = "--start-timeout", paramLabel = "SECONDS", defaultValue = "900",
            description = "How long a claimed task may take to start (its files downloaded, its container running) before "
                    + "it is reported as an error (default: ${DEFAULT-VALUE}).")
    long startTimeout;

    @Option(names = "--delivery-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "How long a finished task's session log is tried before its final status goes without it, "
                    + "saying why (default: ${DEFAULT-VALUE}, about one lease).")
    long deliveryTimeout;

    @Option(names = "--retention-days", paramLabel = "DAYS", scope = ScopeType.INHERIT,
            defaultValue = "" + HousekeepingConfig.DEFAULT_RETENTION_DAYS,
            description = "Files of the Victoria home untouched this long are removed daily; protocols/, "
                    + "forecasting_data/, .env, VICTORIA.md, email_last_checked.txt, .crush/, .cache/ and held tasks' "
                    + "folders never are (default: ${DEFAULT-VALUE}).")
    long retentionDays;

    @Option(names = "--min-free-disk", paramLabel = "BYTES", defaultValue = "" + HousekeepingConfig.DEFAULT_MIN_FREE_DISK,
            description = "Free space the Victoria home must keep for new tasks to be claimed (and the runner ready); "
                    + "0 turns the guard off (default: ${DEFAULT-VALUE}).")
    long minFreeDisk;

    @Option(names = "--prune-images", negatable = true, defaultValue = "true", fallbackValue = "true", scope = ScopeType.INHERIT,
            description = "After a refresh brought a new build, and daily, remove images of the --container-image repository "
                    + "beyond the newest two (never the configured one, never one in use); --no-prune-images keeps them "
                    + "(default: ${DEFAULT-VALUE}).")
    boolean pruneImages;

    @Option(names = "--memory", paramLabel = "SIZE",
            description = "Memory limit of each task container, e.g. 8g (default: none).")
    String memory;

    @Option(names = "--cpus", paramLabel = "N", description = "CPUs each task container may use, e.g. 2.5 (default: no limit).")
    String cpus;

    @Option(names = "--pids-limit", paramLabel = "N", defaultValue = "" + ContainerPolicy.DEFAULT_PIDS_LIMIT,
            description = "Processes each task container may have; 0: the engine's default (default: ${DEFAULT-VALUE}).")
    int pidsLimit;

    @Option(names = "--shm-size", paramLabel = "SIZE", description = "/dev/shm size of each task container, e.g. 1g "
            + "(default: the engine's, 64m).")
    String shmSize;

    @Option(names = "--no-init", description = "Start the agent as PID 1 instead of under a tiny init that reaps its "
            + "orphaned children (for images that bring their own).")
    boolean noInit;

    @Option(names = "--allow-new-privileges", description = "Drop --security-opt no-new-privileges (for images whose "
            + "agent needs setuid binaries such as sudo).")
    boolean allowNewPrivileges;

    @Option(names = "--cap-add", paramLabel = "CAPABILITY", split = ",",
            description = "The capabilities task containers keep, repeatable (or comma-separated); every other one is "
                    + "dropped (--cap-drop ALL). Replaces the default list; 'none' keeps none "
                    + "(default: CHOWN,DAC_OVERRIDE,FOWNER,KILL,SETGID,SETUID, what Victoria Terminal's entrypoint needs).")
    List<String> capAdd;

    @Option(names = "--device", paramLabel = "DEVICE", split = ",",
            description = "Device for each task container, repeatable (or comma-separated): a path, HOST:CONTAINER[:PERMS], "
                    + "or a CDI name such as nvidia.com/gpu=all.")
    List<String> devices = new ArrayList<>();

    @Option(names = "--gpus", paramLabel = "GPUS", description = "GPUs for each task container: all, a count, or "
            + "device=0,1 (docker --gpus; podman: the CDI device nvidia.com/gpu=GPUS) (default: none).")
    String gpus;

    @Option(names = "--devices-per-task", paramLabel = "N", defaultValue = "0",
            description = "Give each task N devices of its own out of --gpus device=... (indices or UUIDs) or else the CDI "
                    + "devices of --device; at most as many tasks as there are N of them run at once. 0: every task gets "
                    + "all of them (default: ${DEFAULT-VALUE}).")
    int devicesPerTask;

    @Option(names = "--pull", paramLabel = "POLICY", description = "The engine's pull policy for each task: always, newer, "
            + "missing or never (default: the engine's, missing, with the image refreshed in the background).")
    String pull;

    @Option(names = "--image-refresh-interval", paramLabel = "SECONDS", defaultValue = "3600",
            description = "Seconds between background pulls of --container-image; 0: never (default: ${DEFAULT-VALUE}).")
    long imageRefreshInterval;

    @Option(names = "--registry-auth-file", paramLabel = "FILE", description = "Credentials of private registries: "
            + "podman's --authfile, or docker's config.json (its folder becomes docker's --config).")
    Path registryAuthFile;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text", scope = ScopeType.INHERIT,
            description = "text (for people) or json (one object per line, for log shippers) (default: ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--management-port", paramLabel = "PORT",
            description = "Loopback port serving /q/health and /q/metrics, or 'off' for none (default: 9000).")
    String managementPort;

    @Option(names = { "-v", "--verbose" }, description = "Log debug detail.")
    boolean verbose;

    private final Daemon daemon;
    private final CommandLine.IFactory factory;

    public RunCommand(Daemon daemon, CommandLine.IFactory factory) {
        this.daemon = daemon;
        this.factory = factory;
    }

    @Override
    public Integer call() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        RunnerConfig config = toConfig(Main.environment(args.toArray(String[]::new), System.getenv()));
        if (spec.commandLine().getParseResult().hasMatchedOption("--registration-token")) {
            LOG.warn("The registration token was given on the command line, where other users can see it in process "
                    + "listings; prefer " + OptionSources.environmentName("registration-token") + " or --registration-token-file");
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--proxy") && config.network().proxy().https() != null
                && config.network().proxy().https().hasCredentials()) {
            LOG.warn("The proxy's credentials were given on the command line, where other users can see them in process "
                    + "listings; prefer " + OptionSources.environmentName("proxy") + " or HTTPS_PROXY in the environment file");
        }
        return daemon.run(config, new ConfigLoader(factory, () -> new RunCommand(daemon, factory), args, System.getenv()));
    }

    RunnerConfig toConfig(Map<String, String> environment) {
        if (environmentFile != null && !spec.commandLine().getParseResult().hasMatchedOption("--environment-file")
                && !environment.containsKey(OptionSources.environmentName("environment-file"))) {
            throw new InvalidOption("--environment-file", "is read before the config file: give it on the command line or as "
                    + OptionSources.environmentName("environment-file"));
        }
        URI url = orchestratorUrl(require("--orchestrator-url", orchestratorUrl));
        NodeIdentity.Name nodeName = NodeIdentity.name(name, NodeIdentity.KERNEL_HOSTNAME);
        if (nodeName.problem().isPresent()) {
            throw new InvalidOption("--name", nodeName.problem().get());
        }
        positive("--poll-interval", pollInterval);
        positive("--heartbeat-interval", heartbeatInterval);
        positive("--lease-renewal-interval", leaseRenewalInterval);
        positive("--connect-timeout", connectTimeout);
        positive("--read-timeout", readTimeout);
        positive("--logs-timeout", logsTimeout);
        positive("--max-concurrent-tasks", maxConcurrentTasks);
        positive("--max-file-size", maxFileSize);
        positive("--max-task-files-size", maxTaskFilesSize);
        positive("--logs-max-bytes", logsMaxBytes);
        positive("--shutdown-timeout", shutdownTimeout);
        positive("--start-timeout", startTimeout);
        positive("--delivery-timeout", deliveryTimeout);
        String shutdownAction = onShutdown.toLowerCase(Locale.ROOT);
        if (!shutdownAction.equals("leave") && !shutdownAction.equals("stop")) {
            throw new InvalidOption("--on-shutdown", "'" + onShutdown + "' is not one of leave, stop");
        }
        String runtime = runtime();
        StartupProperties.check(logFormat, managementPort);
        HousekeepingConfig housekeeping = housekeeping();
        if (envFile != null && !Files.isReadable(envFile)) {
            throw new InvalidOption("--env-file", "'" + envFile + "' does not exist or is not readable");
        }
        NetworkSettings network = network(environment, userHome());
        ContainerPolicy policy = containerPolicy();
        if (imageRefreshInterval < 0) {
            throw new InvalidOption("--image-refresh-interval", "must be 0 or more, got " + imageRefreshInterval);
        }
        if (registryAuthFile != null && !Files.isReadable(registryAuthFile)) {
            throw new InvalidOption("--registry-auth-file", "'" + registryAuthFile + "' does not exist or is not readable");
        }
        Path home = userHome();
        return new RunnerConfig(url, token(), nodeName.value(),
                Duration.ofSeconds(pollInterval), Duration.ofSeconds(Math.min(heartbeatInterval, 60)),
                Duration.ofSeconds(Math.min(leaseRenewalInterval, 120)), containerImage,
                victoriaHome(),
                envFile(),
                runtime,
                stateDir(environment),
                network,
                Duration.ofSeconds(connectTimeout), Duration.ofSeconds(readTimeout), Duration.ofSeconds(logsTimeout),
                maxConcurrentTasks, maxFileSize, maxTaskFilesSize, logsMaxBytes, shutdownAction.equals("stop"),
                Duration.ofSeconds(shutdownTimeout), Duration.ofSeconds(startTimeout), Duration.ofSeconds(deliveryTimeout),
                verbose, housekeeping, policy, Duration.ofSeconds(imageRefreshInterval),
                expand(registryAuthFile, null, home), logFormat.equalsIgnoreCase("json"), managementPort);
    }

    /** The proxy and the trust, as every command that calls out resolves them. */
    NetworkSettings network(Map<String, String> environment, Path home) {
        if (caFile != null && !Files.isReadable(caFile)) {
            throw new InvalidOption("--ca-file", "'" + caFile + "' does not exist or is not readable");
        }
        if (caFileOnly && caFile == null) {
            throw new InvalidOption("--ca-file-only", "needs --ca-file: the file to trust alone");
        }
        Trust trust = Trust.of(expand(caFile, null, home), caFileOnly, environment);
        try {
            trust.check();
        } catch (IllegalArgumentException e) {
            throw new InvalidOption("--ca-file", e.getMessage());
        }
        try {
            return new NetworkSettings(ProxySettings.resolve(proxy, noProxy, environment), trust, caToContainers);
        } catch (IllegalArgumentException e) {
            throw new InvalidOption(e.getMessage().startsWith("--no-proxy") ? "--no-proxy" : "--proxy", e.getMessage());
        }
    }

    private ContainerPolicy containerPolicy() {
        String memoryLimit = size("--memory", memory);
        String shm = size("--shm-size", shmSize);
        if (cpus != null && !cpus.isBlank() && !CPUS.matcher(cpus.strip()).matches()) {
            throw new InvalidOption("--cpus", "'" + cpus + "' is not a number of CPUs such as 2 or 0.5");
        }
        if (pidsLimit < 0) {
            throw new InvalidOption("--pids-limit", "must be 0 or more, got " + pidsLimit);
        }
        List<String> deviceList = devices.stream().map(String::strip).filter(d -> !d.isEmpty()).toList();
        for (String device : deviceList) {
            if (device.startsWith("-")) {
                throw new InvalidOption("--device", "'" + device + "' is not a device");
            }
        }
        if (gpus != null && !gpus.isBlank() && (gpus.strip().startsWith("-") || gpus.strip().contains(" "))) {
            throw new InvalidOption("--gpus", "'" + gpus + "' is not all, a count, or device=...");
        }
        String pullPolicy = pull == null || pull.isBlank() ? null : pull.strip().toLowerCase(Locale.ROOT);
        if (pullPolicy != null && !PULL_POLICIES.contains(pullPolicy)) {
            throw new InvalidOption("--pull", "'" + pull + "' is not one of always, newer, missing, never");
        }
        if (devicesPerTask < 0) {
            throw new InvalidOption("--devices-per-task", "must be 0 or more, got " + devicesPerTask);
        }
        try {
            return new ContainerPolicy(memoryLimit, cpus == null || cpus.isBlank() ? null : cpus.strip(), pidsLimit, shm,
                    !noInit, !allowNewPrivileges, capabilities(), deviceList, gpus == null || gpus.isBlank() ? null : gpus.strip(),
                    devicesPerTask, pullPolicy);
        } catch (IllegalArgumentException e) {
            throw new InvalidOption("--devices-per-task", e.getMessage());
        }
    }

    /** The allow-list of {@code --cap-add}: names with or without CAP_, any case; none, or the default when not given. */
    private List<String> capabilities() {
        if (capAdd == null) {
            return ContainerPolicy.DEFAULT_CAPABILITIES;
        }
        List<String> given = capAdd.stream().map(String::strip).filter(c -> !c.isEmpty()).toList();
        if (given.size() == 1 && given.get(0).equalsIgnoreCase("none")) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String capability : given) {
            String name = capability.toUpperCase(Locale.ROOT);
            name = name.startsWith("CAP_") ? name.substring(4) : name;
            if (name.equals("ALL")) {
                throw new InvalidOption("--cap-add", "ALL would give task containers every capability back; list the ones they need");
            }
            if (!ContainerPolicy.KNOWN_CAPABILITIES.contains(name)) {
                throw new InvalidOption("--cap-add", "'" + capability + "' is not a Linux capability (e.g. CHOWN, SYS_PTRACE)"
                        + (name.equals("NONE") ? "; 'none' stands alone" : ""));
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /** A size as both engines take it: digits and an optional unit b, k, m or g. @return null when not given */
    private static String size(String option, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!SIZE.matcher(value.strip()).matches()) {
            throw new InvalidOption(option, "'" + value + "' is not a size such as 512m or 8g");
        }
        return value.strip();
    }

    /** Where the state dir and the Victoria home are, for the one-shot commands, resolved as for the daemon. */
    Layout layout(Map<String, String> environment) {
        return new Layout(stateDir(environment), victoriaHome());
    }

    private Path victoriaHome() {
        return expand(victoriaHome, userHome().resolve("Victoria"), userHome());
    }

    private Path stateDir(Map<String, String> environment) {
        return expand(stateDir, defaultStateDir(environment, userHome()), userHome());
    }

    String containerImage() {
        return containerImage;
    }

    /** The operator's env file, for a one-shot command: null when none is set. */
    Path envFile() {
        return expand(envFile, null, userHome());
    }

    String runtime() {
        String runtime = containerRuntime.toLowerCase(Locale.ROOT);
        if (!RUNTIMES.contains(runtime)) {
            throw new InvalidOption("--container-runtime", "'" + containerRuntime + "' is not one of podman, docker, auto");
        }
        return runtime;
    }

    HousekeepingConfig housekeeping() {
        positive("--retention-days", retentionDays);
        if (minFreeDisk < 0) {
            throw new InvalidOption("--min-free-disk", "must be 0 or more, got " + minFreeDisk);
        }
        return new HousekeepingConfig(Duration.ofDays(retentionDays), minFreeDisk, pruneImages);
    }

    private static Path userHome() {
        return Path.of(System.getProperty("user.home"));
    }

    private String token() {
        if (registrationToken != null && !registrationToken.isBlank()) {
            return registrationToken.strip();
        }
        if (registrationTokenFile != null) {
            try {
                String fromFile = Files.readString(registrationTokenFile, StandardCharsets.UTF_8).strip();
                if (fromFile.isEmpty()) {
                    throw new InvalidOption("--registration-token-file", "'" + registrationTokenFile + "' is empty");
                }
                return fromFile;
            } catch (IOException e) {
                throw new InvalidOption("--registration-token-file", "cannot read '" + registrationTokenFile + "'");
            }
        }
        throw new InvalidOption("--registration-token", "missing; set " + OptionSources.environmentName("registration-token")
                + " or --registration-token-file");
    }

    private static String require(String option, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidOption(option, "missing; it is required (or set " + OptionSources.environmentName(option) + ")");
        }
        return value.strip();
    }

    private static URI orchestratorUrl(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new InvalidOption("--orchestrator-url", "'" + value + "' is not an http(s) URL");
            }
            if (uri.getUserInfo() != null) {
                throw new InvalidOption("--orchestrator-url", "credentials in the URL are not allowed");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidOption("--orchestrator-url", "'" + value + "' is not an http(s) URL");
        }
    }

    private static void positive(String option, long value) {
        if (value <= 0) {
            throw new InvalidOption(option, "must be greater than 0, got " + value);
        }
    }

    private static Path expand(Path given, Path fallback, Path home) {
        if (given == null) {
            return fallback;
        }
        String text = given.toString();
        if (text.equals("~")) {
            return home;
        }
        return text.startsWith("~/") ? home.resolve(text.substring(2)) : given.toAbsolutePath();
    }

    private static Path defaultStateDir(Map<String, String> environment, Path home) {
        // systemd's StateDirectory= announces /var/lib/victoria-runner through $STATE_DIRECTORY.
        String systemd = environment.get("STATE_DIRECTORY");
        if (systemd != null && !systemd.isBlank()) {
            return Path.of(systemd.split(":")[0]);
        }
        String xdg = environment.get("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local/state");
        return base.resolve("victoria-runner");
    }
}
