package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * What podman and docker CLIs have in common: the same subcommands and flags for run, stop, ps
 * and inspect, and the same inspect JSON in the fields read here. Their event streams differ.
 */
public abstract sealed class CliContainerRuntime implements ContainerRuntime permits PodmanRuntime, DockerRuntime {

    /** Long enough to pull a multi-GB image on a slow link. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(30);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** Reading a container's whole log: a chatty agent's can be large. */
    private static final Duration LOGS_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{12,64}");
    private static final Pattern MISSING = Pattern.compile("no such (container|object|image)", Pattern.CASE_INSENSITIVE);

    private final String name;
    private final Cli cli;
    private final ObjectMapper mapper;
    private final InspectJson inspectJson;
    private Engine engine;

    CliContainerRuntime(String name, List<String> baseCommand, ObjectMapper mapper, Consumer<Map<String, String>> environment) {
        this.name = name;
        this.cli = new Cli(baseCommand, environment);
        this.mapper = mapper;
        this.inspectJson = new InspectJson(mapper);
    }

    /** Asks the CLI which engine it talks to. */
    abstract Engine queryEngine();

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String version() {
        return engine().version();
    }

    @Override
    public final String ping() {
        return queryEngine().version();
    }

    synchronized Engine engine() {
        if (engine == null) {
            engine = queryEngine();
        }
        return engine;
    }

    @Override
    public final String start(ContainerSpec spec) {
        List<String> args = new ArrayList<>(spec.runArguments(engine(), dialect()));
        // after "run -d": a pull on the way in uses the same credentials
        args.addAll(2, registryAuthOptions());
        Cli.Result result = callOrThrow(args, START_TIMEOUT);
        String id = lastLine(result.stdout());
        if (!CONTAINER_ID.matcher(id).matches()) {
            throw new ContainerException(cli.describe(args) + " printed no container id: " + result.stdout().strip(),
                    result.exitCode());
        }
        return id;
    }

    @Override
    public final ExitEventStream exitEvents(Map<String, String> labels, Instant since) {
        List<String> args = new ArrayList<>(exitEventCommand());
        args.addAll(List.of("--since", Long.toString(since.getEpochSecond())));
        args.addAll(labelFilters(labels));
        return new CliExitEvents(cli.start(args), mapper, this::exitEvent);
    }

    @Override
    public final int endLeftoverExitEvents(Map<String, String> labels) {
        List<String> command = exitEventCommand();
        List<String> filters = labelFilters(labels);
        long self = ProcessHandle.current().pid();
        Optional<String> user = ProcessHandle.current().info().user();
        List<ProcessHandle> leftovers = ProcessHandle.allProcesses()
                .filter(process -> process.parent().map(ProcessHandle::pid).orElse(-1L) != self)
                .filter(process -> user.isPresent() && process.info().user().equals(user))
                .filter(process -> process.info().arguments().map(List::of)
                        .map(args -> Collections.indexOfSubList(args, command) == 0 && args.containsAll(filters))
                        .orElse(false))
                .toList();
        leftovers.forEach(ProcessHandle::destroy);
        return leftovers.size();
    }

    @Override
    public final void pull(String image, Consumer<String> progress) {
        List<String> args = new ArrayList<>(List.of("pull"));
        args.addAll(registryAuthOptions());
        args.add(image);
        // Podman reports its progress on stderr, docker on stdout: one stream of both.
        try (Cli.Running pulling = cli.startMerged(args)) {
            // A registry that stops answering mid-pull would hold the pull, and a first pull the claims, for ever.
            pulling.killAfter(START_TIMEOUT);
            String last = "";
            for (Optional<String> line = pulling.readLine(); line.isPresent(); line = pulling.readLine()) {
                if (!line.get().isBlank()) {
                    last = line.get().strip();
                    progress.accept(last);
                }
            }
            String ending = pulling.ending();
            if (!ending.contains(" exited with code 0")) {
                throw new ContainerException(ending + (last.isEmpty() ? "" : ": " + last), ContainerException.NO_EXIT_CODE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("pull of " + image + " interrupted", ContainerException.NO_EXIT_CODE, e);
        }
    }

    @Override
    public final void logs(String nameOrId, int lastLines, boolean follow, OutputStream sink) {
        List<String> args = new ArrayList<>(List.of("logs"));
        if (lastLines > 0) {
            args.addAll(List.of("--tail", Integer.toString(lastLines)));
        }
        if (follow) {
            args.add("--follow");
        }
        args.add(nameOrId);
        // Merged: the engine writes the container's stdout and stderr in the order it logged them.
        try (Cli.Running reading = cli.startMerged(args)) {
            if (!follow) {
                reading.killAfter(LOGS_TIMEOUT);
            }
            reading.copyTo(sink);
            String ending = reading.ending();
            if (!ending.endsWith(" exited with code 0")) {
                throw new ContainerException(ending, ContainerException.NO_EXIT_CODE);
            }
        } catch (IOException e) {
            throw new ContainerException("cannot pass on the output of " + cli.describe(args) + ": " + e.getMessage(),
                    ContainerException.NO_EXIT_CODE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException(cli.describe(args) + " interrupted", ContainerException.NO_EXIT_CODE, e);
        }
    }

    @Override
    public final Optional<String> imageId(String image) {
        Cli.Result result = call(List.of("image", "inspect", "--format", "{{.Id}}", image), COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            // docker: "No such image", podman: "image not known"
            if (mentionsMissing(result) || result.stderr().toLowerCase(Locale.ROOT).contains("not known")) {
                return Optional.empty();
            }
            throw new ContainerException(result.errorMessage("image inspect"), result.exitCode());
        }
        String id = result.stdout().strip();
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
    }

    /** Options of {@code pull} and {@code run} that name the registry credentials, if the CLI takes them there. */
    abstract List<String> registryAuthOptions();

    /** Where this CLI differs from the other in the options of a policy. */
    abstract ContainerPolicy.Dialect dialect();

    /** The {@code events} command, without time or labels, that prints each exit as one JSON line. */
    abstract List<String> exitEventCommand();

    /** One event object as this CLI prints it; empty for anything but an exit. */
    abstract Optional<ExitEvent> exitEvent(JsonNode event);

    @Override
    public final void stop(String nameOrId, Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("negative grace: " + grace);
        }
        // -t takes whole seconds; rounding up never cuts the grace short
        long seconds = (grace.toMillis() + 999) / 1000;
        callOrThrow(List.of("stop", "-t", Long.toString(seconds), nameOrId), grace.plus(COMMAND_TIMEOUT));
    }

    /** Runs a removal command; a container that is already gone counts as removed. */
    final void removeWith(List<String> args) {
        Cli.Result result = call(args, COMMAND_TIMEOUT);
        if (!result.succeeded() && !mentionsMissing(result)) {
            throw new ContainerException(result.errorMessage(cli.describe(args)), result.exitCode());
        }
    }

    /**
     * {@code ps} only finds the ids: docker's ps has no exit code and joins labels into one
     * "k=v,k=v" string (ambiguous when a value holds a comma), so inspect gives the details.
     */
    @Override
    public final List<ContainerInfo> list(Map<String, String> labels) {
        List<String> ids = ids(List.of("-a"), labels);
        return ids.isEmpty() ? List.of() : inspectAll(ids);
    }

    @Override
    public final Set<String> runningIds(Map<String, String> labels) {
        return Set.copyOf(ids(List.of("--filter", "status=running"), labels));
    }

    /** Full ids of the containers {@code ps} lists with {@code options}. */
    private List<String> ids(List<String> options, Map<String, String> labels) {
        List<String> args = new ArrayList<>(List.of("ps", "-q", "--no-trunc"));
        args.addAll(options);
        args.addAll(labelFilters(labels));
        return callOrThrow(args, COMMAND_TIMEOUT).stdout().lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .toList();
    }

    @Override
    public final Optional<ContainerInfo> inspect(String nameOrId) {
        return inspectAll(List.of(nameOrId)).stream().findFirst();
    }

    /**
     * The containers of {@code namesOrIds} that exist. Both CLIs print the ones found and fail
     * for the rest; a docker CLI without its engine also prints "[]", so only a "no such"
     * complaint makes a failure mean "missing".
     */
    private List<ContainerInfo> inspectAll(List<String> namesOrIds) {
        List<String> args = new ArrayList<>(List.of("container", "inspect"));
        args.addAll(namesOrIds);
        Cli.Result result = call(args, COMMAND_TIMEOUT);
        Optional<List<ContainerInfo>> containers = inspectJson.parse(result.stdout());
        if (containers.isPresent() && (result.succeeded() || mentionsMissing(result))) {
            return containers.get();
        }
        throw new ContainerException(result.errorMessage(cli.describe(args)), result.exitCode());
    }

    /**
     * {@code images} only finds the ids, as {@code ps} does; inspect gives dates and names alike in both CLIs (and
     * podman's names history, which docker lacks).
     */
    @Override
    public final List<ImageInfo> images() {
        List<String> ids = callOrThrow(List.of("images", "-q", "--no-trunc"), COMMAND_TIMEOUT).stdout().lines()
                .map(String::strip).filter(line -> !line.isEmpty()).distinct().toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        List<String> args = new ArrayList<>(List.of("image", "inspect"));
        args.addAll(ids);
        List<ImageInfo> images = new ArrayList<>();
        for (JsonNode image : callForJson(args)) {
            images.add(new ImageInfo(image.path("Id").asText(), Instant.parse(image.path("Created").asText()),
                    texts(image.path("RepoTags")), texts(image.path("RepoDigests")), texts(image.path("NamesHistory"))));
        }
        return images;
    }

    /** No force: the engine refuses to remove an image a container uses, which is the point. */
    @Override
    public final void removeImage(String id) {
        callOrThrow(List.of("rmi", id), COMMAND_TIMEOUT);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    /** Runs a command whose failure is an error, with the CLI's message. */
    final Cli.Result callOrThrow(List<String> args, Duration timeout) {
        Cli.Result result = call(args, timeout);
        if (!result.succeeded()) {
            throw new ContainerException(result.errorMessage(cli.describe(args)), result.exitCode());
        }
        return result;
    }

    /** Runs a command; an interrupt becomes a ContainerException with the thread's interrupt flag set again. */
    final Cli.Result call(List<String> args, Duration timeout) {
        try {
            return cli.run(args, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException(cli.describe(args) + " interrupted", ContainerException.NO_EXIT_CODE, e);
        }
    }

    /** Runs a command that prints JSON, e.g. {@code version --format json}. */
    final JsonNode callForJson(List<String> args) {
        String stdout = callOrThrow(args, COMMAND_TIMEOUT).stdout();
        try {
            return mapper.readTree(stdout);
        } catch (JsonProcessingException e) {
            throw new ContainerException(cli.describe(args) + " printed no JSON: " + stdout.strip(), 0, e);
        }
    }

    /** The same label filter syntax in both CLIs, for ps and events alike. */
    private static List<String> labelFilters(Map<String, String> labels) {
        List<String> args = new ArrayList<>();
        labels.forEach((key, value) -> args.addAll(List.of("--filter", "label=" + key + "=" + value)));
        return args;
    }

    /**
     * Podman: "no such container", docker: "No such container|object|image". Not any "no such": an engine whose
     * storage is damaged says "no such file or directory" of a container that may well run.
     */
    private static boolean mentionsMissing(Cli.Result result) {
        return MISSING.matcher(result.stderr()).find();
    }

    private static String lastLine(String text) {
        List<String> lines = text.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }
}
