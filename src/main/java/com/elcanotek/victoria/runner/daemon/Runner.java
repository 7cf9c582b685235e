package com.elcanotek.victoria.runner.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.config.ConfigChanges;
import com.elcanotek.victoria.runner.config.RunnerConfig;
import com.elcanotek.victoria.runner.container.ContainerExits;
import com.elcanotek.victoria.runner.health.RunnerView;
import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.node.Heartbeat;
import com.elcanotek.victoria.runner.node.Registration;
import com.elcanotek.victoria.runner.node.RegistrationRefused;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.state.StateFiles;
import com.elcanotek.victoria.runner.task.Reconciler;
import com.elcanotek.victoria.runner.task.TaskLoop;
import com.elcanotek.victoria.runner.task.TaskRun;
import com.elcanotek.victoria.runner.task.TaskRuns;

import io.quarkus.runtime.Quarkus;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;

/**
 * The daemon: registers (or reuses the stored identity), then heartbeats and polls on the
 * scheduler until asked to stop. Start-up runs off the main thread so that a long wait for the
 * orchestrator never blocks shutdown.
 */
public class Runner implements RunnerView {

    /** Exit status for a refusal no restart can fix (sysexits' EX_CONFIG), so systemd stops retrying. */
    public static final int EXIT_REGISTRATION_REFUSED = 78;

    private static final Logger LOG = Logger.getLogger(Runner.class);
    /** The status file follows the orchestrator's last answer this closely, and costs no more than that. */
    private static final Duration STATUS_FILE_INTERVAL = Duration.ofSeconds(5);
    /** The first housekeeping round waits until start-up's own work is done. */
    private static final Duration HOUSEKEEPING_DELAY = Duration.ofSeconds(60);

    /** The running settings: a reload swaps in those it can apply (see {@link ConfigChanges}). */
    private final AtomicReference<RunnerConfig> config;
    private final Scheduler scheduler;
    private final Orchestrator orchestrator;
    private final Registration registration;
    private final Heartbeat heartbeat;
    private final TaskLoop loop;
    private final Reconciler reconciler;
    private final TaskRuns runs;
    private final ExecutorService workers;
    private final ExecutorService renewals;
    private final ContainerExits exits;
    private final Duration reconcileInterval;
    private final Clock clock;
    private final Operations operations;
    private final AtomicInteger exitCode = new AtomicInteger(0);
    /** When the poll job last ran, or the loop last claimed: the watchdog's and liveness's sign of life. */
    private final AtomicReference<Instant> lastPollTick;
    private final List<String> jobs = new CopyOnWriteArrayList<>();
    private volatile Thread startup;
    private volatile boolean stopping;
    /** Set once start-up's jobs are scheduled and systemd was told READY=1: a reload before then waits for it. */
    private boolean started;
    private Supplier<RunnerConfig> reloadDuringStartUp;

    public Runner(AtomicReference<RunnerConfig> config, Scheduler scheduler, Orchestrator orchestrator, Registration registration,
            Heartbeat heartbeat, TaskLoop loop, Reconciler reconciler, TaskRuns runs, ExecutorService workers,
            ExecutorService renewals, ContainerExits exits, Duration reconcileInterval, Clock clock,
            AtomicReference<Instant> lastPollTick, Operations operations) {
        this.config = config;
        this.scheduler = scheduler;
        this.orchestrator = orchestrator;
        this.registration = registration;
        this.heartbeat = heartbeat;
        this.loop = loop;
        this.reconciler = reconciler;
        this.runs = runs;
        this.workers = workers;
        this.renewals = renewals;
        this.exits = exits;
        this.reconcileInterval = reconcileInterval;
        this.clock = clock;
        this.lastPollTick = lastPollTick;
        this.operations = operations;
    }

    public void start() {
        try {
            StateFiles.privateDir(config().stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state dir " + config().stateDir(), e);
        }
        operations.images().start();
        startup = new Thread(this::startUp, "runner-startup");
        startup.setDaemon(true);
        startup.start();
    }

    private void startUp() {
        try {
            operations.systemd().status("registering with " + config().orchestratorUrl());
            registration.ensure();
            // Tasks held before a restart come first: re-adopted, or their outcome reported.
            reconciler.reconcile();
            // Before any claim: tells the orchestrator what really runs, so a stale current task
            // from before a restart does not linger (it would make re-registration answer 409).
            heartbeat.beat();
            scheduleHeartbeat();
            schedule("reconcile", reconcileInterval, reconcileInterval, reconciler::reconcile);
            schedule("status-file", STATUS_FILE_INTERVAL, Duration.ZERO, () -> {
                operations.statusFile().record(orchestrator.lastContact(), claimingStopped(), limitsNotEnforced());
                operations.systemd().status(this);
            });
            schedule("housekeeping", operations.housekeepingInterval(), HOUSEKEEPING_DELAY, operations.housekeeping()::run);
            schedulePoll();
            lastPollTick.set(clock.instant());
            // Registered, reconciled, scheduled: `systemctl start` returns, and the watchdog starts counting.
            operations.systemd().ready(this);
            Supplier<RunnerConfig> pending;
            synchronized (this) {
                started = true;
                pending = reloadDuringStartUp;
            }
            if (pending != null) {
                reload(pending);
            }
            loop.poll();
            LOG.infof("Runner '%s' started: polling %s every %d s", config().name(), config().orchestratorUrl(),
                    config().pollInterval().toSeconds());
        } catch (RegistrationRefused e) {
            refused(e);
        } catch (RuntimeException e) {
            if (stopping) {
                // A stop during start-up (e.g. while the orchestrator is still unreachable) is no failure.
                return;
            }
            LOG.errorf(e, "Runner could not start: %s", e.getMessage());
            exitCode.set(1);
            Quarkus.asyncExit(1);
        }
    }

    private void scheduleHeartbeat() {
        schedule("heartbeat", config().heartbeatInterval(), randomPhase(config().heartbeatInterval()),
                () -> unlessRefused(heartbeat::beat));
    }

    private void schedulePoll() {
        schedule("poll", config().pollInterval(), randomPhase(config().pollInterval()), () -> {
            lastPollTick.set(clock.instant());
            unlessRefused(loop::poll);
        });
    }

    /**
     * Re-reads the settings (SIGHUP, {@code systemctl reload}) and applies what can change while running; the log
     * says which options were applied and which keep their running values until a restart. Settings that do not
     * resolve (a config file that no longer parses, an invalid value) change nothing.
     */
    public synchronized void reload(Supplier<RunnerConfig> settings) {
        if (stopping) {
            return;
        }
        if (!started) {
            // Nothing may claim before the reconcile, nor may systemd hear READY=1 before start-up's own.
            LOG.info("Reload asked for during start-up: it is applied once the runner has started");
            reloadDuringStartUp = settings;
            return;
        }
        operations.systemd().reloading();
        try {
            RunnerConfig running = config();
            RunnerConfig next;
            try {
                next = settings.get();
            } catch (RuntimeException e) {
                LOG.errorf("Reload refused, the running settings stay: %s", e.getMessage());
                return;
            }
            ConfigChanges changes = ConfigChanges.between(running, next);
            if (changes.none()) {
                LOG.info("Reload: no setting changed");
                return;
            }
            RunnerConfig applied = running.withLiveSettingsOf(next);
            config.set(applied);
            try {
                operations.reconfigure().accept(applied);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Reload: applying the image, container or log settings failed: %s", e.getMessage());
            }
            if (!applied.heartbeatInterval().equals(running.heartbeatInterval())) {
                unschedule("heartbeat");
                scheduleHeartbeat();
            }
            if (!applied.pollInterval().equals(running.pollInterval())) {
                unschedule("poll");
                schedulePoll();
            }
            LOG.infof("Reload applied: %s%s", changes.applied().isEmpty() ? "nothing" : String.join(", ", changes.applied()),
                    changes.needRestart().isEmpty() ? ""
                            : "; not applied, as they need a restart (running values kept): " + String.join(", ", changes.needRestart()));
            // More slots, or claiming allowed again: claim now rather than at the next tick, which also starts the
            // liveness window of a shorter poll interval.
            workers.execute(() -> {
                lastPollTick.set(clock.instant());
                unlessRefused(loop::poll);
            });
        } finally {
            operations.systemd().reloaded();
        }
    }

    private RunnerConfig config() {
        return config.get();
    }

    /** Runs a scheduled job; a registration the orchestrator now refuses (token revoked) ends the daemon. */
    private void unlessRefused(Runnable job) {
        try {
            job.run();
        } catch (RegistrationRefused e) {
            refused(e);
        }
    }

    private void refused(RegistrationRefused e) {
        LOG.error(e.getMessage());
        operations.systemd().status(e.getMessage());
        exitCode.set(EXIT_REGISTRATION_REFUSED);
        Quarkus.asyncExit(EXIT_REGISTRATION_REFUSED);
    }

    /**
     * Stops claiming and scheduling, then either leaves running containers to the next start or
     * stops them, and keeps delivering pending reports until the shutdown timeout.
     *
     * @return the exit status
     */
    public int stop() {
        synchronized (this) {
            stopping = true;
        }
        operations.systemd().stopping();
        Thread starting = startup;
        if (starting != null) {
            starting.interrupt();
        }
        jobs.forEach(scheduler::unscheduleJob);
        loop.stopClaiming();
        if (config().stopContainersOnShutdown()) {
            runs.all().forEach(run -> run.stopForShutdown("runner shut down"));
        } else {
            runs.all().forEach(TaskRun::abandon);
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(config().shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("Reports still pending after %d s; they are journaled and will be sent after the next start",
                        config().shutdownTimeout().toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        renewals.shutdownNow();
        operations.images().close();
        operations.systemd().close();
        // Last: tasks still reporting after a stopping shutdown needed their containers' exits.
        exits.close();
        LOG.infof("Runner stopped (%d task(s) held)", runs.size());
        return exitCode.get();
    }

    private synchronized void unschedule(String name) {
        scheduler.unscheduleJob(name);
        jobs.remove(name);
    }

    /** A job of this runner: never run twice at once, unscheduled when the runner stops. */
    private synchronized void schedule(String name, Duration interval, Duration delay, Runnable task) {
        if (stopping) {
            // A stop during start-up unscheduled what there was: a job scheduled after it would run on.
            return;
        }
        var job = scheduler.newJob(name)
                .setInterval(Math.max(1, interval.toSeconds()) + "s")
                .setConcurrentExecution(ConcurrentExecution.SKIP)
                .setTask(execution -> task.run());
        if (!delay.isZero()) {
            job.setDelayed(delay.toMillis() + "ms");
        }
        job.schedule();
        jobs.add(name);
    }

    /**
     * When a periodic call to the orchestrator first runs: a random point of its interval, since runners started
     * together (a fleet rebooted, a package upgraded everywhere) would otherwise call in the same second forever.
     */
    private static Duration randomPhase(Duration interval) {
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(interval.toMillis() + 1));
    }

    @Override
    public Optional<String> nodeId() {
        return registration.current().map(Credentials::nodeId);
    }

    @Override
    public Optional<Instant> lastContact() {
        return orchestrator.lastContact();
    }

    @Override
    public Duration contactMaxAge() {
        return config().pollInterval().multipliedBy(3).plus(config().readTimeout());
    }

    @Override
    public Optional<String> runtimeVersion() {
        return operations.runtime().version();
    }

    @Override
    public Optional<String> diskShortage() {
        return operations.diskSpace().closedBecause().map(operations.masker()::mask);
    }

    @Override
    public Optional<String> claimingStopped() {
        return operations.admission().closedBecause().map(operations.masker()::mask);
    }

    @Override
    public Optional<String> limitsNotEnforced() {
        return operations.unenforcedLimits().get();
    }

    @Override
    public int tasksHeld() {
        return runs.size();
    }

    @Override
    public Optional<Instant> lastPollTick() {
        return Optional.ofNullable(lastPollTick.get());
    }

    @Override
    public Duration pollMaxSilence() {
        return config().pollInterval().multipliedBy(3).plus(config().readTimeout().multipliedBy(2));
    }
}
