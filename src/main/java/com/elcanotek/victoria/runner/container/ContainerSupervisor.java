package com.elcanotek.victoria.runner.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.state.StateFiles;
import com.elcanotek.victoria.runner.task.TaskFailure;
import com.elcanotek.victoria.runner.task.TaskLogContext;

/**
 * Runs one task's container through the runtime's CLI: starts it detached (so it outlives the
 * runner), notices its exit as it happens, stops it at its deadline, and removes it afterwards.
 * Secrets reach the container through a 0600 env file that exists only while the container is
 * being created, never through argv.
 */
public class ContainerSupervisor {

    private static final Logger LOG = Logger.getLogger(ContainerSupervisor.class);
    private static final String ENV_DIR = "env";
    static final Duration STOP_RETRY = Duration.ofSeconds(10);
    private static final int SIGKILL_EXIT = 128 + 9;

    /**
     * @param operatorEnvFile the operator's {@code --env-file}, or {@code null}
     * @param stopGrace time between SIGTERM and SIGKILL when a container is stopped
     */
    public record Settings(String image, Path victoriaHome, Path operatorEnvFile, Path stateDir, String runnerName,
            Duration stopGrace, ContainerPolicy policy) {
    }

    /**
     * How a container ended.
     *
     * @param outOfMemory how the agent came to be killed for passing the memory limit, as the error message says it;
     *                    null when it was not
     */
    public record Exit(int code, boolean timedOut, String outOfMemory) {
    }

    private final ContainerRuntime runtime;
    private final ContainerExits exits;
    private final LimitSupport limits;
    private volatile Settings settings;
    private final ScheduledExecutorService timers;
    private final ExecutorService stopper;
    private final Clock clock;

    /**
     * Says at once, loudly, which of the policy's limits the engine does not enforce.
     *
     * @param exits   watches the containers labelled with this runner's name ({@link #runnerLabel})
     * @param limits  what the engine enforces, asked at start ({@link LimitSupport#of})
     * @param stopper runs stops; a pool of its own, so that stopping many containers at once waits for none
     */
    public ContainerSupervisor(ContainerRuntime runtime, ContainerExits exits, LimitSupport limits, Settings settings,
            ScheduledExecutorService timers, ExecutorService stopper, Clock clock) {
        this.runtime = runtime;
        this.exits = exits;
        this.limits = limits;
        this.settings = settings;
        this.timers = timers;
        this.stopper = stopper;
        this.clock = clock;
        unenforcedLimits().ifPresent(ContainerSupervisor::warnOfLimits);
    }

    /** A reload's new image, operator env file and limits: the containers started from now on get them. */
    public void apply(String image, Path operatorEnvFile, ContainerPolicy policy) {
        Settings now = settings;
        Optional<String> before = unenforcedLimits();
        settings = new Settings(image, now.victoriaHome(), operatorEnvFile, now.stateDir(), now.runnerName(), now.stopGrace(),
                policy);
        Optional<String> after = unenforcedLimits();
        if (after.isPresent() && !after.equals(before)) {
            warnOfLimits(after.get());
        }
    }

    /** Which of the limits set the engine does not enforce, and why; empty while all of them hold. */
    public Optional<String> unenforcedLimits() {
        return limits.warning(settings.policy());
    }

    private static void warnOfLimits(String warning) {
        LOG.warnf("Task container limits %s. Tasks run without them; 'victoria-runner status' and readiness say so too",
                warning);
    }

    /** The in-container path of a task's files, as {@code TASK_FILES_DIR} names it. */
    public static String filesDirInContainer(TaskAssignment task) {
        return ContainerSpec.VICTORIA_HOME_IN_CONTAINER + "/tasks/" + task.shortId() + "/files";
    }

    /** Where the agent of {@code task} writes its session, on the host. */
    public static Path sessionDir(Path victoriaHome, TaskAssignment task) {
        return ContainerSpec.crushDir(victoriaHome, task.taskId());
    }

    /** Starts the task's container. @return its name; @throws TaskFailure with the runtime's own words */
    public String start(TaskAssignment task, String nodeId, String apiKey, URI orchestratorUrl, boolean hasFiles) {
        PromptArgument.check(task.prompt());
        emptySessionDir(task);
        Path secrets = writeEnvFile(task, apiKey, orchestratorUrl, hasFiles);
        Settings current = settings; // one reload's settings for the whole container, never a mix
        try {
            List<Path> envFiles = new ArrayList<>();
            if (current.operatorEnvFile() != null) {
                envFiles.add(current.operatorEnvFile());
            }
            // Last, so that the runner's values win over an operator file that sets the same names.
            envFiles.add(secrets);
            ContainerSpec spec = ContainerSpec.forTask(task.taskId(), task.prompt(), current.image(),
                    current.victoriaHome(), envFiles, nodeId, current.runnerName(), current.policy());
            startRemovingLeftover(spec);
            LOG.infof("container %s started", spec.name());
            return spec.name();
        } catch (ContainerException e) {
            throw TaskFailure.ofHost("container could not start: " + e.getMessage(), e);
        } finally {
            deleteQuietly(secrets);
        }
    }

    /**
     * Blocks until the container exits; past {@code deadline} it is stopped (and stopped again while that fails)
     * and the exit marked as a timeout.
     */
    public Exit await(String container, Instant deadline) throws InterruptedException {
        AtomicBoolean timedOut = new AtomicBoolean();
        AtomicBoolean done = new AtomicBoolean();
        long delay = Math.max(0, Duration.between(clock.instant(), deadline).toMillis());
        ScheduledFuture<?> timer = timers.schedule(TaskLogContext.carried(() -> {
            timedOut.set(true);
            LOG.warnf("Container %s passed its deadline; stopping it", container);
            stopUntilGone(container, () -> !done.get());
        }), delay, TimeUnit.MILLISECONDS);
        try {
            int code = exits.await(container);
            return new Exit(code, timedOut.get(), timedOut.get() ? null : outOfMemory(container, code));
        } finally {
            done.set(true);
            timer.cancel(false);
        }
    }

    /**
     * Stops the container on a thread of its own (a stop blocks on the engine for up to its grace, which no timer
     * should wait behind), and again every {@link #STOP_RETRY} while the engine cannot be asked and {@code wanted}
     * still holds: a stop that failed must not leave a timed-out or cancelled task running.
     */
    public void stopUntilGone(String container, BooleanSupplier wanted) {
        stopper.execute(TaskLogContext.carried(() -> {
            if (wanted.getAsBoolean() && !stop(container)) {
                timers.schedule(TaskLogContext.carried(() -> stopUntilGone(container, wanted)), STOP_RETRY.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }));
    }

    /**
     * A SIGKILL the runner did not send (a stop past its grace is a timeout or a cancel, told apart by the caller) is
     * the kernel's OOM killer when the engine says so (inspect's OOMKilled, where it knows: cgroup v2), or, most
     * likely, when a memory limit was in force: podman 4 on cgroup v1 reports OOMKilled false even then. A limit set
     * but not enforced (rootless podman on cgroupfs or cgroup v1) makes a 137 nothing of the kind.
     */
    public String outOfMemory(String container, int code) {
        if (code != SIGKILL_EXIT) {
            return null;
        }
        ContainerPolicy policy = settings.policy();
        boolean inForce = limits.memoryLimitInForce(policy);
        if (runtime.inspect(container).map(ContainerInfo::oomKilled).orElse(false)) {
            return inForce ? "out of memory: the agent was killed for passing the container's memory limit of " + policy.memory()
                    + " (exit code " + code + ")"
                    : "out of memory: the engine reports the agent killed by the kernel's out-of-memory killer (exit code "
                            + code + ")";
        }
        if (!inForce) {
            return null;
        }
        return "out of memory, most likely: the agent was killed by SIGKILL (exit code " + code
                + ") with a memory limit of " + policy.memory() + " and no stop by the runner";
    }

    /** The id of the image a container runs ({@code sha256:...}); empty when the engine does not tell. */
    public Optional<String> imageOf(String container) {
        try {
            return runtime.inspect(container).map(ContainerInfo::image);
        } catch (ContainerException e) {
            LOG.warnf("Cannot tell which image container %s runs: %s", container, e.getMessage());
            return Optional.empty();
        }
    }

    /** The container of a task, in any state, found by its label. */
    public Optional<ContainerInfo> find(String taskId) {
        return runtime.list(Map.of(ContainerSpec.LABEL_TASK, taskId)).stream().findFirst();
    }

    /** Every container this runner started, in any state. */
    public List<ContainerInfo> ours() {
        return runtime.list(runnerLabel(settings.runnerName()));
    }

    /** What every container of the runner named {@code runnerName} carries. */
    public static Map<String, String> runnerLabel(String runnerName) {
        return Map.of(ContainerSpec.LABEL_RUNNER, runnerName);
    }

    /** SIGTERM, then SIGKILL after the grace period. @return false when the engine could not be asked */
    public boolean stop(String container) {
        try {
            runtime.stop(container, settings.stopGrace());
            return true;
        } catch (ContainerException e) {
            LOG.warnf("Cannot stop container %s: %s", container, e.getMessage());
            return false;
        }
    }

    public void remove(String container) {
        try {
            runtime.remove(container);
        } catch (ContainerException e) {
            LOG.warnf("Cannot remove container %s: %s", container, e.getMessage());
        }
    }

    /**
     * A finished container of the same name (an earlier run of the same short id) blocks the name: only a start that
     * failed looks for one, removes it and starts once more, so that a claim is not one engine call slower for a
     * rare leftover. A running one is left alone and the start fails. A start that fails for good removes what it
     * created (the engine keeps a container whose start failed, in state created): a task that never ran leaves nothing.
     */
    private void startRemovingLeftover(ContainerSpec spec) {
        try {
            runtime.start(spec);
        } catch (ContainerException failed) {
            if (!removedIfNotRunning(spec.name())) {
                throw failed;
            }
            // Most likely from an earlier run; possibly what this failed start created, which one more try settles.
            LOG.infof("Start failed (%s); removed the container %s that was not running, starting again", failed.getMessage(),
                    spec.name());
            try {
                runtime.start(spec);
            } catch (ContainerException again) {
                removedIfNotRunning(spec.name());
                throw again;
            }
        }
    }

    /** @return whether a container of that name existed, was not running, and is removed now */
    private boolean removedIfNotRunning(String name) {
        try {
            if (runtime.inspect(name).filter(info -> info.state() != ContainerState.RUNNING).isEmpty()) {
                return false;
            }
            runtime.remove(name);
            return true;
        } catch (ContainerException e) {
            LOG.warnf("Cannot remove the container %s of a failed start: %s", name, e.getMessage());
            return false;
        }
    }

    /**
     * Empty before the agent starts, so that whatever session is found there after the exit is this run's: a
     * folder left from an earlier run of a task of the same short id would hand its session to this task.
     */
    private void emptySessionDir(TaskAssignment task) {
        Path dir = sessionDir(settings.victoriaHome(), task);
        try {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
            Files.createDirectories(dir);
        } catch (IOException | UncheckedIOException e) {
            throw TaskFailure.ofHost("cannot prepare the agent's session folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Env files left by a runner killed while it created a container: they hold the node key, and only the
     * container being created needed them.
     */
    public static void removeStaleEnvFiles(Path stateDir) {
        Path dir = stateDir.resolve(ENV_DIR);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".env")).toList()) {
                LOG.infof("Removing the env file %s left by an earlier run", file.getFileName());
                deleteQuietly(file);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("Cannot list %s: %s", dir, e.getMessage());
        }
    }

    private Path writeEnvFile(TaskAssignment task, String apiKey, URI orchestratorUrl, boolean hasFiles) {
        StringBuilder env = new StringBuilder()
                .append("TASK_ID=").append(task.taskId()).append('\n')
                .append("ORCHESTRATOR_URL=").append(orchestratorUrl).append('\n')
                .append("NODE_API_KEY=").append(apiKey).append('\n');
        if (hasFiles) {
            env.append("TASK_FILES_DIR=").append(filesDirInContainer(task)).append('\n');
        }
        try {
            Path dir = StateFiles.privateDir(settings.stateDir().resolve(ENV_DIR));
            Path file = Files.createTempFile(dir, task.shortId() + "-", ".env",
                    PosixFilePermissions.asFileAttribute(StateFiles.OWNER_ONLY_FILE));
            Files.writeString(file, env, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw TaskFailure.ofHost("cannot write the container's env file: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("Cannot delete %s: %s", file, e.getMessage());
        }
    }
}
