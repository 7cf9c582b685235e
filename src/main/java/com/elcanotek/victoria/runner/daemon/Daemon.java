package com.elcanotek.victoria.runner.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.admission.ClaimAdmission;
import com.elcanotek.victoria.runner.admission.DiskSpaceGuard;
import com.elcanotek.victoria.runner.admission.Draining;
import com.elcanotek.victoria.runner.admission.HostBreaker;
import com.elcanotek.victoria.runner.admission.HostProbe;
import com.elcanotek.victoria.runner.admission.RuntimeProbe;
import com.elcanotek.victoria.runner.config.HousekeepingConfig;
import com.elcanotek.victoria.runner.config.InvalidOption;
import com.elcanotek.victoria.runner.config.RunnerConfig;
import com.elcanotek.victoria.runner.container.ContainerExits;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.ContainerRuntimes;
import com.elcanotek.victoria.runner.container.ContainerSpec;
import com.elcanotek.victoria.runner.container.ContainerSupervisor;
import com.elcanotek.victoria.runner.container.ImageKeeper;
import com.elcanotek.victoria.runner.container.LimitSupport;
import com.elcanotek.victoria.runner.container.PathLookup;
import com.elcanotek.victoria.runner.container.PromptArgument;
import com.elcanotek.victoria.runner.container.TaskNetwork;
import com.elcanotek.victoria.runner.health.RunnerHealth;
import com.elcanotek.victoria.runner.housekeeping.Housekeeping;
import com.elcanotek.victoria.runner.housekeeping.ImagePruner;
import com.elcanotek.victoria.runner.housekeeping.WorkspaceRetention;
import com.elcanotek.victoria.runner.logs.LogFitter;
import com.elcanotek.victoria.runner.logs.SessionLogReader;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.network.NetworkSettings;
import com.elcanotek.victoria.runner.network.ProxySettings;
import com.elcanotek.victoria.runner.network.ProxyUrl;
import com.elcanotek.victoria.runner.node.CredentialsStore;
import com.elcanotek.victoria.runner.node.Heartbeat;
import com.elcanotek.victoria.runner.node.NodeCredentials;
import com.elcanotek.victoria.runner.node.NodeIdentity;
import com.elcanotek.victoria.runner.node.Registration;
import com.elcanotek.victoria.runner.orchestrator.Backoff;
import com.elcanotek.victoria.runner.orchestrator.ClientSettings;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.UserAgent;
import com.elcanotek.victoria.runner.secrets.EnvFileValues;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.elcanotek.victoria.runner.state.DrainFlag;
import com.elcanotek.victoria.runner.state.Layout;
import com.elcanotek.victoria.runner.state.StateDirLock;
import com.elcanotek.victoria.runner.state.StateDirOwner;
import com.elcanotek.victoria.runner.state.StateFiles;
import com.elcanotek.victoria.runner.state.StatePlacement;
import com.elcanotek.victoria.runner.status.StatusFile;
import com.elcanotek.victoria.runner.systemd.ServiceManager;
import com.elcanotek.victoria.runner.task.DevicePool;
import com.elcanotek.victoria.runner.task.FileTaskJournal;
import com.elcanotek.victoria.runner.task.JournalEntry;
import com.elcanotek.victoria.runner.task.Reconciler;
import com.elcanotek.victoria.runner.task.TaskFiles;
import com.elcanotek.victoria.runner.task.TaskJournal;
import com.elcanotek.victoria.runner.task.TaskLoop;
import com.elcanotek.victoria.runner.task.TaskRun;
import com.elcanotek.victoria.runner.task.TaskRuns;
import com.elcanotek.victoria.runner.task.TaskServices;
import java.util.Objects;
import java.util.function.UnaryOperator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import sun.misc.Signal;
import io.quarkus.scheduler.Scheduler;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Assembles a {@link Runner} from checked settings and runs it until the process is asked to stop. */
@ApplicationScoped
public class Daemon {

    /** Time between SIGTERM and SIGKILL when a container is stopped. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** Past the grace, how long an engine has to carry a stop out and tell of the exit before the task ends without it. */
    static final Duration STOP_SLACK = Duration.ofSeconds(60);
    /** How often a stop the engine did not take is tried again. */
    static final Duration STOP_RETRY = Duration.ofSeconds(10);

    static final String NO_RUNTIME = "No container runtime found. Install podman or docker.";

    private static final Logger LOG = Logger.getLogger(Daemon.class);

    private final ObjectMapper json;
    private final Scheduler scheduler;
    private final RunnerHealth health;
    private final Backoff.Policy retry;
    private final Duration reconcileInterval;
    private final Duration orphanGrace;
    private final Duration leaseHold;
    private final Duration housekeepingInterval;
    private final HostBreaker.Settings breaker;
    private final int maxAttempts;
    private final RunnerMetrics metrics;
    private final String version;

    public Daemon(ObjectMapper json, Scheduler scheduler, RunnerHealth health, MeterRegistry registry,
            @ConfigProperty(name = "runner.retry.initial-delay", defaultValue = "1s") Duration retryInitial,
            @ConfigProperty(name = "runner.retry.max-delay", defaultValue = "60s") Duration retryMax,
            @ConfigProperty(name = "runner.reconcile-interval", defaultValue = "60s") Duration reconcileInterval,
            @ConfigProperty(name = "runner.orphan-grace", defaultValue = "5m") Duration orphanGrace,
            @ConfigProperty(name = "runner.lease-hold", defaultValue = "5m30s") Duration leaseHold,
            @ConfigProperty(name = "runner.housekeeping-interval", defaultValue = "24h") Duration housekeepingInterval,
            @ConfigProperty(name = "runner.host-breaker.threshold", defaultValue = "3") int breakerThreshold,
            @ConfigProperty(name = "runner.host-breaker.first-pause", defaultValue = "15s") Duration breakerFirstPause,
            @ConfigProperty(name = "runner.host-breaker.max-pause", defaultValue = "5m") Duration breakerMaxPause,
            @ConfigProperty(name = "runner.max-attempts", defaultValue = "3") int maxAttempts,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.version = version;
        this.json = json;
        this.scheduler = scheduler;
        this.health = health;
        this.retry = new Backoff.Policy(retryInitial, retryMax);
        this.reconcileInterval = reconcileInterval;
        this.orphanGrace = orphanGrace;
        this.leaseHold = leaseHold;
        this.housekeepingInterval = housekeepingInterval;
        this.breaker = new HostBreaker.Settings(breakerThreshold, breakerFirstPause, breakerMaxPause);
        this.maxAttempts = maxAttempts;
        this.metrics = new RunnerMetrics(registry);
    }

    /** @param reload resolves the settings again, as at start, for a reload (SIGHUP) */
    public int run(RunnerConfig config, Supplier<RunnerConfig> reload) {
        // At once: the JVM's own answer to SIGHUP is to exit.
        AtomicReference<Runner> reloadable = new AtomicReference<>();
        Signal.handle(new Signal("HUP"), signal -> {
            // The JVM's signal thread has the system class loader as its context loader, which does not see the
            // application's classes; threads a reload starts inherit it (see named()).
            Thread.currentThread().setContextClassLoader(Daemon.class.getClassLoader());
            Runner runner = reloadable.get();
            if (runner == null) {
                LOG.warn("SIGHUP before the runner was set up: nothing to reload yet");
            } else {
                runner.reload(reload);
            }
        });
        // Before anything is logged that could hold one: the log handlers mask from now on.
        SecretMasker masker = new SecretMasker();
        learnSecrets(masker, config);
        LogSettings.apply(config.verbose(), config.jsonLogs(), masker);
        StatePlacement.problem(config.layout()).ifPresent(problem -> {
            throw new InvalidOption("--state-dir", problem);
        });
        Optional<ContainerRuntime> runtime = ContainerRuntimes.detect(config.containerRuntime(), PathLookup.fromEnvironment(), json,
                config.registryAuthFile(), UnaryOperator.identity(), config.network().proxy()::applyTo);
        if (runtime.isEmpty()) {
            System.err.println(NO_RUNTIME);
            return 1;
        }
        warnIfPlainHttp(config);
        PromptArgument.warnIfNotUtf8();
        Layout layout = config.layout();
        createHome(layout.victoriaHome());
        Optional<StateDirLock> lock = lockStateDir(layout);
        if (lock.isEmpty()) {
            System.err.println("Another victoria-runner" + StateDirLock.holder(layout.lock()).map(pid -> " (pid " + pid + ")").orElse("")
                    + " is already running on the state dir " + config.stateDir() + "; one runner per state dir");
            return 1;
        }
        try (StateDirLock held = lock.get()) {
            // Only the holder of the lock may: a live runner's files and processes are in use.
            ContainerSupervisor.removeStaleEnvFiles(layout);
            recordEngineEnvironment(layout);
            int ended = runtime.get().endLeftoverExitEvents(ContainerSupervisor.runnerLabel(config.name()));
            if (ended > 0) {
                LOG.infof("Ended %d container event stream(s) left by an earlier run of this runner", ended);
            }
            Runner runner = create(config, runtime.get(), Clock.systemUTC(),
                    ServiceManager.fromEnvironment(System.getenv(), Clock.systemUTC()), masker);
            health.attach(runner);
            try {
                stopOnSignals();
                reloadable.set(runner);
                runner.start();
                Quarkus.waitForExit();
                return runner.stop();
            } finally {
                health.detach(runner);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the state dir lock", e);
        }
    }

    /** For operator commands run from a root shell, which ask the engine as this daemon's user (see StateDirOwner). */
    private static void recordEngineEnvironment(Layout layout) {
        try {
            StateDirOwner.recordEngineEnvironment(layout.engineEnvironment(), System.getenv());
        } catch (IOException e) {
            LOG.warnf("Cannot record the engine's environment in %s (cleanup --prune-images from a root shell will guess it): %s",
                    layout.engineEnvironment(), e.getMessage());
        }
    }

    private static Optional<StateDirLock> lockStateDir(Layout layout) {
        try {
            StateFiles.privateDir(layout.stateDir());
            return StateDirLock.tryAcquire(layout.lock());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the state dir " + layout.stateDir(), e);
        }
    }

    /** A runner that tells no service manager anything, as off systemd. */
    Runner create(RunnerConfig config, ContainerRuntime runtime, Clock clock) {
        SecretMasker masker = new SecretMasker();
        learnSecrets(masker, config);
        return create(config, runtime, clock, ServiceManager.fromEnvironment(Map.of(), clock), masker);
    }

    /**
     * The secrets of these settings (the registration token, the env file's values, the proxies' passwords) go to
     * {@code masker}: at start and on every reload, which may bring a new token or another env file (a container start
     * reads the file again).
     */
    private static void learnSecrets(SecretMasker masker, RunnerConfig config) {
        masker.add(EnvFileValues.of(config.envFile()));
        masker.add(Collections.singletonList(config.registrationToken()));
        ProxySettings proxies = config.network().proxy();
        masker.add(Stream.of(proxies.https(), proxies.http()).filter(Objects::nonNull).map(ProxyUrl::password)
                .filter(Objects::nonNull).toList());
    }

    /** @param masker the runner's one masker, which the log handlers already use */
    Runner create(RunnerConfig config, ContainerRuntime runtime, Clock clock, ServiceManager systemd, SecretMasker masker) {
        AtomicReference<RunnerConfig> live = new AtomicReference<>(config);
        Layout layout = config.layout();
        NodeCredentials credentials = new NodeCredentials(masker);
        UserAgent userAgent = UserAgent.of(version, UserAgent.engine(Optional.of(runtime)));
        metrics.buildInfo(userAgent);
        Orchestrator orchestrator = new Orchestrator(
                new ClientSettings(config.orchestratorUrl(), config.connectTimeout(), config.readTimeout(),
                        config.logsTimeout(), config.network(), userAgent.header(), retry),
                credentials::apiKey, json, clock, masker);
        logNetwork(config, orchestrator);
        Registration registration = new Registration(orchestrator, new CredentialsStore(layout.credentials(), json),
                new NodeIdentity(NodeIdentity.hostname(NodeIdentity.KERNEL_HOSTNAME), config.name(),
                        NodeIdentity.osType(Path.of("/etc/os-release"), System.getProperty("os.name"))),
                () -> live.get().registrationToken(), config.orchestratorUrl().toString(), credentials, clock);
        TaskRuns runs = new TaskRuns();
        TaskJournal journal = new FileTaskJournal(layout.journal(), json);
        metrics.watch(runs::size, () -> (int) journal.all().stream().filter(JournalEntry::awaitsAcknowledgement).count());
        ExecutorService workers = Executors.newCachedThreadPool(named("task"));
        ExecutorService renewals = Executors.newCachedThreadPool(named("lease"));
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, named("timer"));
        TaskFiles files = new TaskFiles(orchestrator, new TaskFiles.Limits(config.maxFileSize(), config.maxTaskFilesSize(),
                config.housekeeping().minFreeDisk()), DiskSpaceGuard.FreeSpace.usable(), config.readTimeout(), timers, metrics);
        ContainerExits exits = new ContainerExits(runtime, ContainerSupervisor.runnerLabel(config.name()),
                Executors.newSingleThreadScheduledExecutor(named("exits")), clock, ContainerExits.Timing.DEFAULT);
        ContainerSupervisor supervisor = new ContainerSupervisor(runtime, exits, LimitSupport.of(runtime), masker,
                new ContainerSupervisor.Settings(config.containerImage(), layout, config.envFile(), config.name(), STOP_GRACE,
                        config.containerPolicy(), taskNetwork(config)));
        LogFitter fitter = new LogFitter(json);
        DiskSpaceGuard diskSpace = DiskSpaceGuard.of(layout.victoriaHome(), config.housekeeping().minFreeDisk());
        // A thread of its own: a probe asks the engine, which no deadline or renewal should wait behind.
        HostBreaker hostBreaker = new HostBreaker(
                new HostProbe(runtime, ContainerSupervisor.runnerLabel(config.name()),
                        () -> ContainerSpec.forProbe(live.get().containerImage(), layout, live.get().envFile(), config.name(),
                                live.get().containerPolicy()),
                        layout, diskSpace),
                breaker, Executors.newSingleThreadScheduledExecutor(named("probe")), clock, metrics);
        metrics.watchClaiming(() -> hostBreaker.closedBecause().isPresent());
        Optional<ImagePruner> pruner = config.housekeeping().pruneImages()
                ? Optional.of(new ImagePruner(runtime, () -> live.get().containerImage()))
                : Optional.empty();
        ImageKeeper images = new ImageKeeper(runtime, config.containerImage(), config.imageRefreshInterval(),
                Executors.newSingleThreadScheduledExecutor(named("image")), () -> pruner.ifPresent(ImagePruner::run));
        DrainFlag drain = new DrainFlag(layout.drainFlag());
        metrics.watchDraining(() -> drain.since().isPresent());
        RuntimeProbe engine = new RuntimeProbe(runtime, clock, Executors.newSingleThreadExecutor(named("engine")));
        // Last: the others cost nothing, this one asks the engine.
        ClaimAdmission admission = new ClaimAdmission(
                List.of(new Draining(drain), hostBreaker, images::notReadyBecause, diskSpace, engine));
        // What keeps an idle node from work for a reason of the host, not of the operator (a drain) nor a first pull.
        Heartbeat heartbeat = new Heartbeat(orchestrator, registration, runs::heartbeatTask, metrics,
                new ClaimAdmission(List.of(hostBreaker, diskSpace, engine))::closedBecause);
        DevicePool devices = new DevicePool(config.containerPolicy());
        TaskServices services = new TaskServices(orchestrator, registration, journal, files, supervisor,
                new SessionLogReader(fitter, layout.victoriaHome()), fitter,
                new TaskServices.Settings(layout, config.orchestratorUrl(), config.logsMaxBytes(),
                        () -> live.get().leaseRenewalInterval(), retry, leaseHold, config.startTimeout(),
                        config.deliveryTimeout(), STOP_GRACE.plus(STOP_SLACK), STOP_RETRY, maxAttempts),
                clock, metrics, timers, renewals, Executors.newCachedThreadPool(named("stop")), hostBreaker, devices, masker);
        AtomicReference<Instant> lastPollTick = new AtomicReference<>();
        warnIfDevicesBoundTheTasks(config);
        TaskLoop loop = new TaskLoop(orchestrator, registration, runs, services, workers, () -> live.get().concurrentTasks(),
                admission, () -> lastPollTick.set(clock.instant()), metrics);
        Reconciler reconciler = new Reconciler(journal, loop, runs, supervisor, orphanGrace, clock, metrics);
        Consumer<RunnerConfig> reconfigure = next -> {
            learnSecrets(masker, next);
            // the gate first: no claim may start on an image whose first look is still to come
            images.retarget(next.containerImage(), next.imageRefreshInterval());
            supervisor.apply(next.containerImage(), next.envFile(), next.containerPolicy());
            devices.apply(next.containerPolicy());
            warnIfDevicesBoundTheTasks(next);
            LogSettings.apply(next.verbose(), next.jsonLogs(), masker);
        };
        return new Runner(live, scheduler, orchestrator, registration, heartbeat, loop, reconciler, runs, workers,
                renewals, exits, reconcileInterval, clock, lastPollTick,
                operations(live, engine, clock, diskSpace, admission, images, pruner, runs, journal, reconfigure, systemd,
                        supervisor, masker));
    }

    private Operations operations(AtomicReference<RunnerConfig> live, RuntimeProbe engine, Clock clock,
            DiskSpaceGuard diskSpace, ClaimAdmission admission, ImageKeeper images, Optional<ImagePruner> pruner, TaskRuns runs,
            TaskJournal journal, Consumer<RunnerConfig> reconfigure, ServiceManager systemd, ContainerSupervisor supervisor,
            SecretMasker masker) {
        RunnerConfig config = live.get();
        HousekeepingConfig settings = config.housekeeping();
        Housekeeping housekeeping = new Housekeeping(new WorkspaceRetention(config.layout().victoriaHome(), clock),
                new WorkspaceRetention(config.layout().outputs(), clock), settings.retention(),
                () -> WorkspaceRetention.taskFolders(Stream.concat(runs.all().stream().map(TaskRun::task),
                        journal.all().stream().map(JournalEntry::task))),
                pruner);
        return new Operations(diskSpace, housekeeping, housekeepingInterval, new StatusFile(config.layout().statusFile(), json),
                engine, admission, images, systemd, reconfigure, supervisor::unenforcedLimits, masker);
    }

    /**
     * SIGTERM (systemd stop) and SIGINT end the daemon cleanly with status 0: the JVM's own
     * handling would exit 143/130, which systemd counts as a failure.
     */
    private static void stopOnSignals() {
        for (String name : new String[] { "TERM", "INT" }) {
            Signal.handle(new Signal(name), signal -> {
                LOG.infof("SIG%s received: stopping; running task containers are left to run", name);
                Quarkus.asyncExit(0);
            });
        }
    }

    private static void logNetwork(RunnerConfig config, Orchestrator orchestrator) {
        NetworkSettings network = config.network();
        if (orchestrator.proxy().isPresent()) {
            LOG.infof("Orchestrator calls and downloads go through the proxy %s (from %s)", orchestrator.proxy().get(),
                    network.proxy().source());
        } else if (network.proxy().bypassed(config.orchestratorUrl())) {
            LOG.infof("Orchestrator calls go direct: %s is in the no-proxy list", config.orchestratorUrl().getHost());
        }
        // describe() reads every trusted certificate: only for a debug line that is written
        if ("https".equalsIgnoreCase(config.orchestratorUrl().getScheme()) && LOG.isDebugEnabled()) {
            LOG.debugf("Trusted authorities: %s", network.trust().describe());
        }
    }

    /**
     * The proxy variables and, with {@code --ca-to-containers}, the runner's authorities as a bundle in the state dir
     * (written anew at each start, world-readable: an agent may run as any user; it holds no secret).
     */
    private static TaskNetwork taskNetwork(RunnerConfig config) {
        NetworkSettings network = config.network();
        Path bundle = null;
        if (network.caToContainers()) {
            bundle = config.layout().caBundle();
            try {
                StateFiles.writeAtomically(bundle, network.trust().pem().getBytes(StandardCharsets.US_ASCII));
                Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the containers' CA bundle " + bundle, e);
            }
        }
        return new TaskNetwork(network.proxy().environment(), bundle);
    }

    /** A promise the devices cannot keep is said, not silently dropped. */
    private static void warnIfDevicesBoundTheTasks(RunnerConfig config) {
        if (config.concurrentTasks() < config.maxConcurrentTasks()) {
            LOG.warnf("--max-concurrent-tasks %d, but %d device(s) at %d per task: at most %d task(s) run at once",
                    config.maxConcurrentTasks(), config.containerPolicy().devicePool().size(),
                    config.containerPolicy().devicesPerTask(), config.concurrentTasks());
        }
    }

    private static void warnIfPlainHttp(RunnerConfig config) {
        if (!"http".equalsIgnoreCase(config.orchestratorUrl().getScheme())) {
            return;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(config.orchestratorUrl().getHost())) {
                if (!address.isLoopbackAddress()) {
                    LOG.warnf("The orchestrator URL %s is plain HTTP: the node key crosses the network unencrypted; use https",
                            config.orchestratorUrl());
                    return;
                }
            }
        } catch (IOException unresolvable) {
            LOG.warnf("The orchestrator URL %s is plain HTTP; use https", config.orchestratorUrl());
        }
    }

    private static void createHome(Path home) {
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Victoria home " + home, e);
        }
    }

    /**
     * A pool's threads are made by whichever thread hands it work first and inherit that thread's context class
     * loader: one made during a reload (the JVM's signal thread) could not load the REST client's classes, which it
     * looks up by name, and every orchestrator call from it failed (ClassNotFoundException). So each gets the
     * application's loader.
     */
    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        ClassLoader application = Daemon.class.getClassLoader();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setContextClassLoader(application);
            return thread;
        };
    }
}
