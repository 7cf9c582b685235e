package com.elcanotek.victoria.runner.container;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.state.Layout;

/**
 * What to start: everything that becomes the {@code run -d} command line.
 *
 * @param mounts         what the container sees of the host, sorted by container path: the same spec always gives the
 *                       same command line
 * @param masks          container paths covered by an empty tmpfs, hiding what a mount brings there; mounts below one
 *                       show through
 * @param envFiles       passed as {@code --env-file}, so secret values are read by the CLI from a
 *                       file and never appear in any process's argv
 * @param addHostGateway map {@code host.containers.internal} to the host with
 *                       {@code --add-host ...:host-gateway}; only honoured where the engine
 *                       supports that value (see {@link Engine#supportsHostGateway()})
 * @param policy         limits, hardening and devices
 * @param entrypoint     the command run instead of the image's entrypoint; null: the image's
 */
public record ContainerSpec(String name, String image, List<String> args, List<Mount> mounts, List<String> masks,
        List<Path> envFiles, Map<String, String> labels, boolean addHostGateway, ContainerPolicy policy,
        String entrypoint) {

    public static final String VICTORIA_HOME_IN_CONTAINER = "/workspace/Victoria";
    /** Where the agent keeps its data, Crush's database among them. */
    public static final String CRUSH_DIR_IN_CONTAINER = VICTORIA_HOME_IN_CONTAINER + "/.crush";
    /** Where every task's folder would be seen through the home: masked, so that a task sees its own alone. */
    static final String TASKS_IN_CONTAINER = VICTORIA_HOME_IN_CONTAINER + "/tasks";
    /** Holds nothing but the mount point of the task's own folder: an agent writing there fills it at once. */
    static final String MASK_OPTIONS = "size=1m,mode=0755";
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
        mounts = mounts.stream().sorted(Comparator.comparing(Mount::target)).toList();
        masks = List.copyOf(masks);
        for (String mask : masks) {
            // --tmpfs splits its destination from its options on ":", and its options on ","
            if (!mask.startsWith("/") || mask.contains(":") || mask.contains(",")) {
                throw new IllegalArgumentException("container path must be absolute, without ':' or ',': " + mask);
            }
        }
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

    /** Where a host path under the Victoria home is seen inside every task's container. */
    public static String inContainer(Layout layout, Path hostPath) {
        Path relative = layout.victoriaHome().relativize(hostPath.toAbsolutePath().normalize());
        if (relative.startsWith("..")) {
            throw new IllegalArgumentException(hostPath + " is not under the Victoria home " + layout.victoriaHome());
        }
        return relative.toString().isEmpty() ? VICTORIA_HOME_IN_CONTAINER : VICTORIA_HOME_IN_CONTAINER + "/" + relative;
    }

    /**
     * The container for one task, as PROTOCOL.md defines it: the prompt is a single argument, the Victoria home is
     * mounted at {@value #VICTORIA_HOME_IN_CONTAINER} (shared by every task's container, as the operator's workspace),
     * with the task's own {@link Layout#sessionDir} over its {@code .crush}, and the labels let a restarted runner find
     * its containers again. The home's {@code tasks/} is masked by an empty tmpfs with the task's own folder
     * ({@link Layout#taskFolder}: its files, at the same path as before) mounted on it: no agent sees, reads or
     * rewrites another task's files or session, concurrent or past. The task's folders are its container's own on
     * SELinux hosts, the home is shared.
     *
     * @param envFiles the files holding TASK_ID, ORCHESTRATOR_URL, NODE_API_KEY, ... (written by the caller)
     */
    public static ContainerSpec forTask(String taskId, String prompt, String image, Layout layout,
            List<Path> envFiles, String nodeId, String runnerName, ContainerPolicy policy) {
        if (taskId.isBlank()) {
            throw new IllegalArgumentException("blank task id");
        }
        Path taskFolder = layout.taskFolder(taskId);
        return new ContainerSpec(
                "victoria-" + TaskAssignment.shortId(taskId),
                image,
                List.of("--accept-license", "--task", prompt),
                List.of(Mount.shared(layout.victoriaHome(), VICTORIA_HOME_IN_CONTAINER),
                        Mount.own(taskFolder, inContainer(layout, taskFolder)),
                        Mount.own(layout.sessionDir(taskId), CRUSH_DIR_IN_CONTAINER)),
                List.of(TASKS_IN_CONTAINER),
                envFiles,
                new TreeMap<>(Map.of(LABEL_TASK, taskId, LABEL_NODE, nodeId, LABEL_RUNNER, runnerName)),
                true, policy, null);
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
    public static ContainerSpec forProbe(String image, Layout layout, Path operatorEnvFile, String runnerName,
            ContainerPolicy policy) {
        return new ContainerSpec(
                "victoria-probe-" + UUID.randomUUID().toString().substring(0, 8),
                image,
                List.of(),
                List.of(Mount.own(layout.probeDir(), VICTORIA_HOME_IN_CONTAINER)),
                List.of(),
                operatorEnvFile == null ? List.of() : List.of(operatorEnvFile),
                Map.of(LABEL_PROBE, runnerName),
                true, policy, PROBE_COMMAND);
    }

    /**
     * The CLI arguments after the executable: {@code run -d [options] IMAGE ARGS...}. Everything
     * after the image goes to the container unparsed, so args may start with "-".
     *
     * @param engine what runs the containers, which may not be what the CLI's dialect says
     */
    List<String> runArguments(Engine engine, ContainerPolicy.Dialect dialect) {
        List<String> argv = new ArrayList<>(List.of("run", "-d", "--name", name));
        argv.addAll(policy.runOptions(dialect));
        labels.forEach((key, value) -> argv.addAll(List.of("--label", key + "=" + value)));
        mounts.forEach(mount -> argv.addAll(List.of("-v", mount.argument())));
        String maskOptions = MASK_OPTIONS + (engine.copiesIntoTmpfs() ? ",notmpcopyup" : "");
        masks.forEach(mask -> argv.addAll(List.of("--tmpfs", mask + ":" + maskOptions)));
        envFiles.forEach(file -> argv.addAll(List.of("--env-file", file.toString())));
        if (addHostGateway && engine.supportsHostGateway()) {
            argv.addAll(List.of("--add-host", HOST_GATEWAY_MAPPING));
        }
        if (entrypoint != null) {
            argv.addAll(List.of("--entrypoint", entrypoint));
        }
        argv.add(image);
        argv.addAll(args);
        return argv;
    }

    /** This spec with {@code mount} too. */
    public ContainerSpec with(Mount mount) {
        List<Mount> more = new ArrayList<>(mounts);
        more.add(mount);
        return new ContainerSpec(name, image, args, more, masks, envFiles, labels, addHostGateway, policy, entrypoint);
    }
}
