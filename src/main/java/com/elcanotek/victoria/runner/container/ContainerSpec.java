package com.elcanotek.victoria.runner.container;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.state.Layout;

/**
 * What to start: everything that becomes the {@code run -d} command line.
 *
 * @param volumes        host directory to container path; relabelled on SELinux hosts, see {@link #selinuxOption}
 * @param privateVolumes the host directories of {@code volumes} that no other container mounts
 * @param masks          container paths covered by an empty tmpfs, hiding what a volume brings there; volumes
 *                       mounted below one show through
 * @param envFiles       passed as {@code --env-file}, so secret values are read by the CLI from a
 *                       file and never appear in any process's argv
 * @param addHostGateway map {@code host.containers.internal} to the host with
 *                       {@code --add-host ...:host-gateway}; only honoured where the engine
 *                       supports that value (see {@link ContainerRuntime#supportsHostGateway()})
 * @param policy         limits, hardening and devices
 */
public record ContainerSpec(String name, String image, List<String> args, Map<Path, String> volumes,
        Set<Path> privateVolumes, List<String> masks, List<Path> envFiles, Map<String, String> labels,
        boolean addHostGateway, ContainerPolicy policy) {

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
        privateVolumes = Set.copyOf(privateVolumes);
        if (!volumes.keySet().containsAll(privateVolumes)) {
            throw new IllegalArgumentException("private volumes " + privateVolumes + " not among the volumes " + volumes.keySet());
        }
        masks = List.copyOf(masks);
        masks.forEach(mask -> checkContainerPath(mask, ","));
        envFiles = List.copyOf(envFiles);
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        labels.forEach((key, value) -> {
            if (key.isEmpty() || key.contains("=")) {
                throw new IllegalArgumentException("invalid label key: " + key);
            }
            Objects.requireNonNull(value, key);
        });
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
     * rewrites another task's files or session, concurrent or past. The task's folders are private to its container
     * on SELinux hosts, the home is shared.
     *
     * @param envFiles the files holding TASK_ID, ORCHESTRATOR_URL, NODE_API_KEY, ... (written by the caller)
     */
    public static ContainerSpec forTask(String taskId, String prompt, String image, Layout layout,
            List<Path> envFiles, String nodeId, String runnerName, ContainerPolicy policy) {
        if (taskId.isBlank()) {
            throw new IllegalArgumentException("blank task id");
        }
        Path taskFolder = layout.taskFolder(taskId);
        Path sessionDir = layout.sessionDir(taskId);
        return new ContainerSpec(
                "victoria-" + TaskAssignment.shortId(taskId),
                image,
                List.of("--accept-license", "--task", prompt),
                new TreeMap<>(Map.of(layout.victoriaHome(), VICTORIA_HOME_IN_CONTAINER,
                        taskFolder, inContainer(layout, taskFolder),
                        sessionDir, CRUSH_DIR_IN_CONTAINER)),
                Set.of(taskFolder, sessionDir),
                List.of(TASKS_IN_CONTAINER),
                envFiles,
                new TreeMap<>(Map.of(LABEL_TASK, taskId, LABEL_NODE, nodeId, LABEL_RUNNER, runnerName)),
                true, policy);
    }

    /**
     * The CLI arguments after the executable: {@code run -d [options] IMAGE ARGS...}. Everything
     * after the image goes to the container unparsed, so args may start with "-".
     *
     * @param engine  what runs the containers, which may not be what the CLI's dialect says
     */
    List<String> runArguments(Engine engine, ContainerPolicy.Dialect dialect) {
        List<String> argv = new ArrayList<>(List.of("run", "-d", "--name", name));
        argv.addAll(policy.runOptions(dialect));
        labels.forEach((key, value) -> argv.addAll(List.of("--label", key + "=" + value)));
        volumes.forEach((host, target) -> argv.addAll(List.of("-v", host + ":" + target + ":" + selinuxOption(host))));
        String maskOptions = MASK_OPTIONS + (engine.copiesIntoTmpfs() ? ",notmpcopyup" : "");
        masks.forEach(mask -> argv.addAll(List.of("--tmpfs", mask + ":" + maskOptions)));
        envFiles.forEach(file -> argv.addAll(List.of("--env-file", file.toString())));
        if (addHostGateway && engine.supportsHostGateway()) {
            argv.addAll(List.of("--add-host", HOST_GATEWAY_MAPPING));
        }
        argv.add(image);
        argv.addAll(args);
        return argv;
    }

    /**
     * How a volume is relabelled on an SELinux host (hosts without SELinux ignore it): {@code Z} gives the folder a
     * label private to this container, and any other container that mounts it, running or started later, then loses
     * access to it (podman issues 2043 and 7512): two concurrent tasks would lock each other out of the Victoria home.
     * So only a folder no other container mounts is private; every other one gets the label all containers share,
     * {@code z}.
     */
    String selinuxOption(Path host) {
        return privateVolumes.contains(host) ? "Z" : "z";
    }

    /** {@code -v} splits on ":", so a path holding one would mount something else. */
    private static void checkVolume(Path host, String target) {
        if (!host.isAbsolute() || host.toString().contains(":")) {
            throw new IllegalArgumentException("host path must be absolute, without ':': " + host);
        }
        checkContainerPath(target, "");
    }

    /** {@code --tmpfs} splits its options on ",". */
    private static void checkContainerPath(String target, String alsoRefused) {
        if (!target.startsWith("/") || target.contains(":") || !alsoRefused.isEmpty() && target.contains(alsoRefused)) {
            throw new IllegalArgumentException("container path must be absolute, without ':'" + (alsoRefused.isEmpty() ? ""
                    : " or '" + alsoRefused + "'") + ": " + target);
        }
    }
}
