package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real podman these tests run against, used directly (not through the code under test) to
 * check the machine is ready and to clean up. Missing pieces fail the tests loudly: CI installs
 * podman, so a silent skip would hide a broken setup.
 */
public final class TestEngine {

    /** The small local image standing in for Victoria Terminal (src/test/container/build-image.sh). */
    public static final String IMAGE = "localhost/victoria-fake:test";
    static final String SOCKET = "unix:///run/podman/podman.sock";
    static final String TEST_LABEL = "victoria-runner.test";
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private TestEngine() {
    }

    static Path podman() {
        Path podman = PathLookup.fromEnvironment().find("podman")
                .orElseGet(() -> fail("podman is not installed: run .ci/setup-podman.sh as root"));
        if (run(List.of(podman.toString(), "image", "exists", IMAGE)).exitCode() != 0) {
            fail(IMAGE + " is missing: run src/test/container/build-image.sh (or .ci/setup-podman.sh)");
        }
        return podman;
    }

    static Path docker() {
        podman();
        Path docker = PathLookup.fromEnvironment().find("docker")
                .orElseGet(() -> fail("the docker CLI is not installed: run .ci/setup-podman.sh as root"));
        if (!Files.exists(Path.of(SOCKET.substring("unix://".length())))) {
            fail("podman's Docker API is not listening on " + SOCKET + ": run .ci/setup-podman.sh as root");
        }
        return docker;
    }

    /** Creates a container without starting it: what podman shows after a reboot for one that ran. */
    static void createOnly(String name, String testId) {
        Cli.Result result = run(List.of("podman", "create", "--name", name, "--label", TEST_LABEL + "=" + testId,
                IMAGE, "--accept-license", "--task", "exit=0"));
        if (result.exitCode() != 0) {
            fail("podman create failed: " + result.stderr());
        }
    }

    static void removeLabelled(String testId) {
        List<String> ids = run(List.of("podman", "ps", "-a", "-q", "--filter", "label=" + TEST_LABEL + "=" + testId))
                .stdout().lines().filter(line -> !line.isBlank()).toList();
        if (!ids.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("podman", "rm", "-f", "-t", "0"));
            rm.addAll(ids);
            run(rm);
        }
    }

    private static Cli.Result run(List<String> argv) {
        try {
            return new Cli(argv.subList(0, 1)).run(argv.subList(1, argv.size()), LIMIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
