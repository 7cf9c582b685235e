package com.elcanotek.victoria.runner.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.driver.DriverUnavailable;
import com.elcanotek.victoria.runner.driver.Exit;
import com.elcanotek.victoria.runner.driver.Instance;
import com.elcanotek.victoria.runner.driver.InstanceGone;
import com.elcanotek.victoria.runner.driver.Launch;
import com.elcanotek.victoria.runner.driver.Output;
import com.elcanotek.victoria.runner.driver.StartFailed;
import com.elcanotek.victoria.runner.driver.TaskDriver;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.state.ConfinedFolder;
import com.elcanotek.victoria.runner.secrets.EnvFileValues;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.elcanotek.victoria.runner.state.Layout;
import com.elcanotek.victoria.runner.state.StateFiles;

/**
 * The task driver of podman and docker: runs one task's container through the runtime's CLI, started detached (so
 * it outlives the runner) and addressed by the id {@code run} printed; notices its exit as it happens (one event
 * stream for all, see {@link ContainerExits}); stops and removes it. Secrets reach the container through a 0600 env
 * file that exists only while the container is being created, never through argv.
 */
public class ContainerSupervisor implements TaskDriver {

    private static final Logger LOG = Logger.getLogger(ContainerSupervisor.class);
    private static final int SIGKILL_EXIT = 128 + 9;
    /**
     * Lines of a container's output read for {@link #output}: without a bound podman reads a log whole (10 s for 100
     * MB, measured), with it only its end (1.7 s for the last 20,000 lines of the same log).
     */
    static final int OUTPUT_LINES = 20_000;

    /**
     * @param operatorEnvFile the operator's {@code --env-file}, or {@code null}
     * @param stopGrace time between SIGTERM and SIGKILL when a container is stopped
     * @param network the proxy variables and authorities each container gets
     */
    public record Settings(String image, Layout layout, Path operatorEnvFile, String runnerName, Duration stopGrace,
            ContainerPolicy policy, TaskNetwork network) {
    }

    private final ContainerRuntime runtime;
    private final ContainerExits exits;
    private final LimitSupport limits;
    private final SecretMasker masker;
    private volatile Settings settings;

    /**
     * Says at once, loudly, which of the policy's limits the engine does not enforce.
     *
     * @param exits  watches the containers labelled with this runner's name ({@link #runnerLabel})
     * @param limits what the engine enforces, asked at start ({@link LimitSupport#of})
     * @param masker learns the values of the operator's env file as each container gets them
     */
    public ContainerSupervisor(ContainerRuntime runtime, ContainerExits exits, LimitSupport limits, SecretMasker masker,
            Settings settings) {
        this.runtime = runtime;
        this.exits = exits;
        this.limits = limits;
        this.masker = masker;
        this.settings = settings;
        unenforcedLimits().ifPresent(ContainerSupervisor::warnOfLimits);
    }

    /** A reload's new image, operator env file and limits: the containers started from now on get them. */
    public void apply(String image, Path operatorEnvFile, ContainerPolicy policy) {
        Settings now = settings;
        Optional<String> before = unenforcedLimits();
        settings = new Settings(image, now.layout(), operatorEnvFile, now.runnerName(), now.stopGrace(), policy,
                now.network());
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

    @Override
    public String start(Launch launch) {
        TaskAssignment task = launch.task();
        PromptArgument.check(task.prompt());
        Settings current = settings; // one reload's settings for the whole container, never a mix
        // Read as the engine is about to: an operator may have changed the file without a reload.
        masker.add(EnvFileValues.of(current.operatorEnvFile()));
        prepareTaskFolder(current.layout(), task);
        List<Path> written = new ArrayList<>();
        try {
            List<Path> envFiles = new ArrayList<>();
            Map<String, String> network = current.network().environment();
            if (!network.isEmpty()) {
                // First: an operator file may give the agent another proxy.
                written.add(writeEnvFile(current.layout(), task, network));
                envFiles.add(written.get(0));
            }
            if (current.operatorEnvFile() != null) {
                envFiles.add(current.operatorEnvFile());
            }
            // Last, so that the runner's values win over an operator file that sets the same names.
            Path secrets = writeEnvFile(current.layout(), task, taskVariables(current.layout(), launch));
            written.add(secrets);
            envFiles.add(secrets);
            ContainerSpec spec = ContainerSpec.forTask(task.taskId(), task.prompt(), current.image(), current.layout(),
                    envFiles, launch.nodeId(), current.runnerName(), current.policy().forTask(launch.devices()));
            if (current.network().caBundle() != null) {
                spec = spec.with(new Mount(current.network().caBundle(), TaskNetwork.CA_BUNDLE_IN_CONTAINER, false, true));
            }
            String id = startRemovingLeftover(spec);
            LOG.infof("container %s started (%s)", spec.name(), shortId(id));
            return id;
        } catch (ContainerException e) {
            throw StartFailed.ofHost("container could not start: " + e.getMessage(), e);
        } finally {
            written.forEach(ContainerSupervisor::deleteQuietly);
        }
    }

    @Override
    public Exit awaitExit(String id) throws InterruptedException {
        int code;
        try {
            code = exits.await(id);
        } catch (ContainerGone e) {
            throw new InstanceGone(e.getMessage());
        } catch (ContainerException e) {
            throw new DriverUnavailable(e.getMessage(), e);
        }
        Optional<ContainerInfo> info = inspectQuietly(id);
        return new Exit(code, info.map(ContainerInfo::finishedAt).orElse(null),
                outOfMemory(code, info.map(ContainerInfo::oomKilled).orElse(false)));
    }

    /**
     * A SIGKILL the runner did not send (a stop past its grace is a timeout or a cancel, which the runner tells apart)
     * is the kernel's OOM killer when the engine says so (inspect's OOMKilled, where it knows: cgroup v2), or, most
     * likely, when a memory limit was in force: podman 4 on cgroup v1 reports OOMKilled false even then. A limit set
     * but not enforced (rootless podman on cgroupfs or cgroup v1) makes a 137 nothing of the kind.
     */
    String outOfMemory(int code, boolean oomKilled) {
        if (code != SIGKILL_EXIT) {
            return null;
        }
        ContainerPolicy policy = settings.policy();
        boolean inForce = limits.memoryLimitInForce(policy);
        if (oomKilled) {
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

    @Override
    public Output output(String id, int maxBytes) {
        LastBytes last = new LastBytes(maxBytes);
        engine(() -> {
            runtime.logs(id, OUTPUT_LINES, false, last);
            return null;
        });
        Output kept = last.output();
        // As many lines as were asked for: the engine may have left earlier ones out.
        boolean linesCut = kept.text().chars().filter(c -> c == '\n').count() >= OUTPUT_LINES;
        return linesCut ? new Output(kept.text(), false) : kept;
    }

    @Override
    public Optional<String> image(String id) {
        return inspectQuietly(id).map(ContainerInfo::image);
    }

    private Optional<ContainerInfo> inspectQuietly(String id) {
        try {
            return runtime.inspect(id);
        } catch (ContainerException e) {
            LOG.warnf("Cannot inspect container %s: %s", shortId(id), e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public Optional<Instance> find(String taskId) {
        return engine(() -> runtime.list(Map.of(ContainerSpec.LABEL_TASK, taskId))).stream().findFirst()
                .map(ContainerSupervisor::instance);
    }

    @Override
    public List<Instance> all() {
        return engine(() -> runtime.list(runnerLabel(settings.runnerName()))).stream().map(ContainerSupervisor::instance)
                .toList();
    }

    private static Instance instance(ContainerInfo info) {
        Instance.State state = switch (info.state()) {
            case RUNNING -> Instance.State.RUNNING;
            case EXITED -> info.exitCode() != null ? Instance.State.EXITED : Instance.State.OTHER;
            default -> Instance.State.OTHER;
        };
        return new Instance(info.id(), info.name(), info.labels().get(ContainerSpec.LABEL_TASK), state, info.exitCode(),
                info.startedAt(), info.finishedAt());
    }

    /** What every container of the runner named {@code runnerName} carries. */
    public static Map<String, String> runnerLabel(String runnerName) {
        return Map.of(ContainerSpec.LABEL_RUNNER, runnerName);
    }

    /** SIGTERM, then SIGKILL after the grace period. */
    @Override
    public void stop(String id) {
        engine(() -> {
            runtime.stop(id, settings.stopGrace());
            return null;
        });
    }

    @Override
    public void remove(String id) {
        engine(() -> {
            runtime.remove(id);
            return null;
        });
    }

    /** The engine's failures, as the task code knows them. */
    private static <T> T engine(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ContainerException e) {
            throw new DriverUnavailable(e.getMessage(), e);
        }
    }

    /** The id as the engines show it. */
    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /**
     * A finished container of the same name (an earlier run of the same short id) blocks the name: only a start that
     * failed looks for one, removes it and starts once more, so that a claim is not one engine call slower for a
     * rare leftover. A running one is left alone and the start fails. A start that fails for good removes what it
     * created (the engine keeps a container whose start failed, in state created): a task that never ran leaves nothing.
     *
     * @return the id of the container started
     */
    private String startRemovingLeftover(ContainerSpec spec) {
        try {
            return runtime.start(spec);
        } catch (ContainerException failed) {
            if (!removedIfNotRunning(spec.name())) {
                throw failed;
            }
            // Most likely from an earlier run; possibly what this failed start created, which one more try settles.
            LOG.infof("Start failed (%s); removed the container %s that was not running, starting again", failed.getMessage(),
                    spec.name());
            try {
                return runtime.start(spec);
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
     * The task's folder, which its container mounts, with its agent's session folder empty: whatever session is found
     * there after the exit is this run's (a folder left from an earlier run of a task of the same short id would hand
     * its session to this task). No link is followed: an earlier run's agent could have planted one there.
     */
    private static void prepareTaskFolder(Layout layout, TaskAssignment task) {
        Path dir = layout.sessionDir(task.taskId());
        try (ConfinedFolder folder = ConfinedFolder.open(layout.victoriaHome(), dir.getParent(), true)) {
            String name = dir.getFileName().toString();
            folder.deleteTree(name);
            folder.folder(name, true).close();
        } catch (IOException | UncheckedIOException e) {
            throw StartFailed.ofHost("cannot prepare the agent's session folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Env files left by a runner killed while it created a container: they hold the node key, and only the
     * container being created needed them.
     */
    public static void removeStaleEnvFiles(Layout layout) {
        Path dir = layout.envFiles();
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

    /** What the agent is told of its task, the orchestrator and its key (a secret: never in an argument). */
    private static Map<String, String> taskVariables(Layout layout, Launch launch) {
        TaskAssignment task = launch.task();
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("TASK_ID", task.taskId());
        variables.put("ORCHESTRATOR_URL", launch.orchestratorUrl().toString());
        variables.put("NODE_API_KEY", launch.apiKey());
        if (launch.hasFiles()) {
            variables.put("TASK_FILES_DIR", ContainerSpec.inContainer(layout, layout.taskFiles(task.taskId())));
        }
        return variables;
    }

    /** A 0600 file of {@code NAME=value} lines, read by the engine's CLI while it creates the container. */
    private static Path writeEnvFile(Layout layout, TaskAssignment task, Map<String, String> variables) {
        StringBuilder env = new StringBuilder();
        variables.forEach((name, value) -> env.append(name).append('=').append(value).append('\n'));
        try {
            Path dir = StateFiles.privateDir(layout.envFiles());
            Path file = Files.createTempFile(dir, task.shortId() + "-", ".env",
                    PosixFilePermissions.asFileAttribute(StateFiles.OWNER_ONLY_FILE));
            Files.writeString(file, env, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw StartFailed.ofHost("cannot write the container's env file: " + e.getMessage(), e);
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
