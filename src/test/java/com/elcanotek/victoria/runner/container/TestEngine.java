package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real engine these tests run against, used directly (not through the code under test) to
 * check the machine is ready, to set up and to clean up. Missing pieces fail the tests loudly: CI installs
 * podman and docker, so a silent skip would hide a broken setup.
 */
public final class TestEngine {

    /** The small local image standing in for Victoria Terminal (src/test/container/build-image.sh). */
    public static final String IMAGE = "localhost/victoria-fake:test";
    static final String SOCKET = "unix:///run/podman/podman.sock";
    static final String TEST_LABEL = "victoria-runner.test";
    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** Podman's storage: its own containers, and those the docker CLI starts through podman's Docker API. */
    public static final TestEngine PODMAN = new TestEngine(List.of("podman"), List.of("-t", "0"));

    private final List<String> command;
    private final List<String> removeOptions;

    /**
     * @param command       the CLI and its global options
     * @param removeOptions what {@code rm -f} needs to kill at once (podman waits for SIGTERM without {@code -t 0})
     */
    private TestEngine(List<String> command, List<String> removeOptions) {
        this.command = List.copyOf(command);
        this.removeOptions = List.copyOf(removeOptions);
    }

    /** A Docker engine listening on {@code host}; docker's {@code rm -f} kills at once and has no {@code -t}. */
    static TestEngine dockerAt(String host) {
        return new TestEngine(List.of("docker", "-H", host), List.of());
    }

    static Path podman() {
        Path podman = PathLookup.fromEnvironment().find("podman")
                .orElseGet(() -> fail("podman is not installed: run .ci/setup-podman.sh as root"));
        if (run(List.of(podman.toString(), "image", "exists", IMAGE)).exitCode() != 0) {
            fail(IMAGE + " is missing: run src/test/container/build-image.sh (or .ci/setup-podman.sh)");
        }
        return podman;
    }

    /** The docker CLI, in front of podman's Docker API. */
    static Path docker() {
        podman();
        Path docker = dockerCli();
        if (!Files.exists(Path.of(SOCKET.substring("unix://".length())))) {
            fail("podman's Docker API is not listening on " + SOCKET + ": run .ci/setup-podman.sh as root");
        }
        return docker;
    }

    static Path dockerCli() {
        return PathLookup.fromEnvironment().find("docker")
                .orElseGet(() -> fail("the docker CLI is not installed: run .ci/setup-podman.sh as root"));
    }

    /** The CLI and its global options, for tests that build their own runtime on this engine. */
    public List<String> command() {
        return command;
    }

    /** Creates a container without starting it: what the engine shows after a reboot for one that ran. */
    void createOnly(String name, String testId) {
        call("create", "--name", name, "--label", TEST_LABEL + "=" + testId, IMAGE, "--accept-license", "--task", "exit=0");
    }

    /** Ids of the containers carrying {@code label} ({@code key=value}), in any state or only running ones. */
    public List<String> idsLabelled(String label, boolean runningOnly) {
        List<String> args = new ArrayList<>(List.of("ps", "-q", "--no-trunc", "--filter", "label=" + label));
        if (runningOnly) {
            args.addAll(List.of("--filter", "status=running"));
        } else {
            args.add("-a");
        }
        return call(args.toArray(String[]::new)).lines().filter(line -> !line.isBlank()).toList();
    }

    /** Removes the containers carrying {@code label} ({@code key=value}), and nothing else. */
    public void removeLabelled(String label) {
        List<String> ids = idsLabelled(label, false);
        if (!ids.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("rm", "-f"));
            rm.addAll(removeOptions);
            rm.addAll(ids);
            call(rm.toArray(String[]::new));
        }
    }

    /** Runs a command of this engine's CLI; a failure fails the test with its message. @return its stdout */
    public String call(String... args) {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(List.of(args));
        Cli.Result result = run(argv);
        if (result.exitCode() != 0) {
            fail(String.join(" ", argv) + " failed (" + result.exitCode() + "): " + result.stderr());
        }
        return result.stdout();
    }

    static Cli.Result run(List<String> argv) {
        try {
            return new Cli(argv.subList(0, 1)).run(argv.subList(1, argv.size()), LIMIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
