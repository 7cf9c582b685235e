package com.elcanotek.victoria.runner.container;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;

/**
 * What to start: everything that becomes the {@code run -d} command line.
 *
 * @param volumes        host directory to container path; mounted with {@code :Z} so SELinux hosts relabel it
 * @param envFiles       passed as {@code --env-file}, so secret values are read by the CLI from a
 *                       file and never appear in any process's argv
 * @param addHostGateway map {@code host.containers.internal} to the host with
 *                       {@code --add-host ...:host-gateway}; only honoured where the engine
 *                       supports that value (see {@link ContainerRuntime#supportsHostGateway()})
 * @param policy         limits, hardening and devices
 * @param entrypoint     the command run instead of the image's entrypoint; null: the image's
 */
public record ContainerSpec(String name, String image, List<String> args, Map<Path, String> volumes,
        List<Path> envFiles, Map<String, String> labels, boolean addHostGateway, ContainerPolicy policy,
        String entrypoint) {

    public static final String VICTORIA_HOME_IN_CONTAINER = "/workspace/Victoria";
    /** Where the agent keeps its data, Crush's database among them. */
    public static final String CRUSH_DIR_IN_CONTAINER = VICTORIA_HOME_IN_CONTAINER + "/.crush";
    public static final String LABEL_TASK = "victoria-runner.task";
    public static final String LABEL_NODE = "victoria-runner.node";
    public static final String LABEL_RUNNER = "victoria-runner.runner";
    /** Carried by the host probe's containers (see {@link #forProbe}), valued with the runner's name. */
    public static final String LABEL_PROBE = "victoria-runner.probe";
    /** What the host probe's container runs: every image with a shell userland has it (Victoria Terminal's is Fedora). */
    static final String PROBE_COMMAND = "true";

    static final String HOST_GATEWAY_MAPPING = "host.containers.internal:host-gateway";

    /** What both engines accept as a container name. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    public ContainerSpec {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid container name: " + name);
        }
        // anything starting with "-" before the image would be read as an option
        if (image.isBlank() || image.startsWith("-")) {
            throw new IllegalArgumentException("invalid image: " + image);
        }
        args = List.copyOf(args);
        // sorted: the same spec always gives the same command line
        volumes = Collections.unmodifiableSortedMap(new TreeMap<>(volumes));
        volumes.forEach(ContainerSpec::checkVolume);
        envFiles = List.copyOf(envFiles);
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        labels.forEach((key, value) -> {
            if (key.isEmpty() || key.contains("=")) {
                throw new IllegalArgumentException("invalid label key: " + key);
            }
            Objects.requireNonNull(value, key);
        });
        if (entrypoint != null && (entrypoint.isBlank() || entrypoint.startsWith("-"))) {
            throw new IllegalArgumentException("invalid entrypoint: " + entrypoint);
        }
    }

    /** A container that runs the image's own entrypoint. */
    public ContainerSpec(String name, String image, List<String> args, Map<Path, String> volumes, List<Path> envFiles,
            Map<String, String> labels, boolean addHostGateway, ContainerPolicy policy) {
        this(name, image, args, volumes, envFiles, labels, addHostGateway, policy, null);
    }

    /**
     * The host folder mounted over {@value #CRUSH_DIR_IN_CONTAINER} for one task: every container shares the
     * Victoria home, so without it concurrent and successive agents would write into one Crush database, and
     * the session submitted for a task could be another task's.
     */
    public static Path crushDir(Path victoriaHome, String taskId) {
        return victoriaHome.toAbsolutePath().normalize().resolve("tasks").resolve(TaskAssignment.shortId(taskId)).resolve(".crush");
    }

    /**
     * The container for one task, as PROTOCOL.md defines it: the prompt is a single argument, the
     * Victoria home is mounted at {@value #VICTORIA_HOME_IN_CONTAINER} with the task's own
     * {@link #crushDir} over its {@code .crush}, and the labels let a restarted runner find its
     * containers again.
     *
     * @param envFiles the files holding TASK_ID, ORCHESTRATOR_URL, NODE_API_KEY, ... (written by the caller)
     */
    public static ContainerSpec forTask(String taskId, String prompt, String image, Path victoriaHome,
            List<Path> envFiles, String nodeId, String runnerName, ContainerPolicy policy) {
        if (taskId.isBlank()) {
            throw new IllegalArgumentException("blank task id");
        }
        return new ContainerSpec(
                "victoria-" + TaskAssignment.shortId(taskId),
                image,
                List.of("--accept-license", "--task", prompt),
                new TreeMap<>(Map.of(victoriaHome.toAbsolutePath().normalize(), VICTORIA_HOME_IN_CONTAINER,
                        crushDir(victoriaHome, taskId), CRUSH_DIR_IN_CONTAINER)),
                envFiles,
                new TreeMap<>(Map.of(LABEL_TASK, taskId, LABEL_NODE, nodeId, LABEL_RUNNER, runnerName)),
                true, policy);
    }

    /**
     * A container started the way a task's is (the image, the limits, init, security options and devices, a folder
     * of the Victoria home mounted as the home is, the operator's env file, the host gateway), which only runs
     * {@value #PROBE_COMMAND} instead of the agent: whether it starts tells whether a task could. Nothing of the image
     * is run but that command (the image's entrypoint, which would set up the agent, is bypassed), and it is labelled
     * {@value #LABEL_PROBE}, not as a task's, so that no task's bookkeeping ever takes it for one of its own.
     *
     * @param operatorEnvFile the operator's {@code --env-file}, or null
     */
    public static ContainerSpec forProbe(String image, Path victoriaHome, Path operatorEnvFile, String runnerName,
            ContainerPolicy policy) {
        return new ContainerSpec(
                "victoria-probe-" + UUID.randomUUID().toString().substring(0, 8),
                image,
                List.of(),
                Map.of(probeDir(victoriaHome), VICTORIA_HOME_IN_CONTAINER),
                operatorEnvFile == null ? List.of() : List.of(operatorEnvFile),
                Map.of(LABEL_PROBE, runnerName),
                true, policy, PROBE_COMMAND);
    }

    /** The folder of the Victoria home the probe's container mounts: its own, which no task uses. */
    public static Path probeDir(Path victoriaHome) {
        return victoriaHome.toAbsolutePath().normalize().resolve("tasks").resolve(".host-probe");
    }

    /**
     * The CLI arguments after the executable: {@code run -d [options] IMAGE ARGS...}. Everything
     * after the image goes to the container unparsed, so args may start with "-".
     */
    public List<String> runArguments(boolean hostGatewaySupported, ContainerPolicy.Dialect dialect) {
        List<String> argv = new ArrayList<>(List.of("run", "-d", "--name", name));
        argv.addAll(policy.runOptions(dialect));
        labels.forEach((key, value) -> argv.addAll(List.of("--label", key + "=" + value)));
        volumes.forEach((host, target) -> argv.addAll(List.of("-v", host + ":" + target + ":Z")));
        envFiles.forEach(file -> argv.addAll(List.of("--env-file", file.toString())));
        if (addHostGateway && hostGatewaySupported) {
            argv.addAll(List.of("--add-host", HOST_GATEWAY_MAPPING));
        }
        if (entrypoint != null) {
            argv.addAll(List.of("--entrypoint", entrypoint));
        }
        argv.add(image);
        argv.addAll(args);
        return argv;
    }

    /** {@code -v} splits on ":", so a path holding one would mount something else. */
    private static void checkVolume(Path host, String target) {
        if (!host.isAbsolute() || host.toString().contains(":")) {
            throw new IllegalArgumentException("host path must be absolute, without ':': " + host);
        }
        if (!target.startsWith("/") || target.contains(":")) {
            throw new IllegalArgumentException("container path must be absolute, without ':': " + target);
        }
    }
}
