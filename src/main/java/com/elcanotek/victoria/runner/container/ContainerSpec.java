package com.elcanotek.victoria.runner.container;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
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
 * @param readOnlyFiles  host file to container path, mounted read-only with {@code :z} (shared: the same file serves
 *                       every container), e.g. the authorities of {@link TaskNetwork}
 */
public record ContainerSpec(String name, String image, List<String> args, Map<Path, String> volumes,
        List<Path> envFiles, Map<String, String> labels, boolean addHostGateway, ContainerPolicy policy,
        Map<Path, String> readOnlyFiles) {

    public static final String VICTORIA_HOME_IN_CONTAINER = "/workspace/Victoria";
    /** Where the agent keeps its data, Crush's database among them. */
    public static final String CRUSH_DIR_IN_CONTAINER = VICTORIA_HOME_IN_CONTAINER + "/.crush";
    public static final String LABEL_TASK = "victoria-runner.task";
    public static final String LABEL_NODE = "victoria-runner.node";
    public static final String LABEL_RUNNER = "victoria-runner.runner";

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
        readOnlyFiles = Collections.unmodifiableSortedMap(new TreeMap<>(readOnlyFiles));
        readOnlyFiles.forEach(ContainerSpec::checkVolume);
        envFiles = List.copyOf(envFiles);
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        labels.forEach((key, value) -> {
            if (key.isEmpty() || key.contains("=")) {
                throw new IllegalArgumentException("invalid label key: " + key);
            }
            Objects.requireNonNull(value, key);
        });
    }

    public ContainerSpec(String name, String image, List<String> args, Map<Path, String> volumes, List<Path> envFiles,
            Map<String, String> labels, boolean addHostGateway, ContainerPolicy policy) {
        this(name, image, args, volumes, envFiles, labels, addHostGateway, policy, Map.of());
    }

    /** This spec with {@code host} mounted read-only at {@code target} too. */
    public ContainerSpec withReadOnlyFile(Path host, String target) {
        Map<Path, String> files = new TreeMap<>(readOnlyFiles);
        files.put(host, target);
        return new ContainerSpec(name, image, args, volumes, envFiles, labels, addHostGateway, policy, files);
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
     * The CLI arguments after the executable: {@code run -d [options] IMAGE ARGS...}. Everything
     * after the image goes to the container unparsed, so args may start with "-".
     */
    public List<String> runArguments(boolean hostGatewaySupported, ContainerPolicy.Dialect dialect) {
        List<String> argv = new ArrayList<>(List.of("run", "-d", "--name", name));
        argv.addAll(policy.runOptions(dialect));
        labels.forEach((key, value) -> argv.addAll(List.of("--label", key + "=" + value)));
        volumes.forEach((host, target) -> argv.addAll(List.of("-v", host + ":" + target + ":Z")));
        readOnlyFiles.forEach((host, target) -> argv.addAll(List.of("-v", host + ":" + target + ":ro,z")));
        envFiles.forEach(file -> argv.addAll(List.of("--env-file", file.toString())));
        if (addHostGateway && hostGatewaySupported) {
            argv.addAll(List.of("--add-host", HOST_GATEWAY_MAPPING));
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
