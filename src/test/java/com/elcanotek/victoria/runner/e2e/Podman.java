package com.elcanotek.victoria.runner.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/** Direct podman calls for test set-up and assertions, independent of the runner's own runtime code. */
final class Podman {

    private Podman() {
    }

    static String run(String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("podman " + String.join(" ", args) + " hung");
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("podman is not installed: run .ci/setup-podman.sh as root", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Names of all containers (any state) carrying the label. */
    static List<String> containersLabelled(String label) {
        String out = run("ps", "-a", "--filter", "label=" + label, "--format", "{{.Names}}").strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    /** Names of the running containers carrying the label. */
    static List<String> runningLabelled(String label) {
        String out = run("ps", "--filter", "label=" + label, "--filter", "status=running", "--format", "{{.Names}}").strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    /** Containers are removed just after their task's final report, so this gives them a moment. */
    static void awaitNoneLabelled(String label) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> containersLabelled(label).isEmpty());
    }

    static void removeLabelled(String label) {
        for (String name : containersLabelled(label)) {
            run("rm", "-f", "-t", "0", name);
        }
    }

    /** Builds the stand-in image if it is missing or stale. */
    static void ensureTestImage() {
        String out = runScript("src/test/container/build-image.sh");
        if (run("images", "-q", RunnerProcess.TEST_IMAGE).isBlank()) {
            throw new AssertionError("test image missing after build:\n" + out);
        }
    }

    private static String runScript(String script) {
        try {
            Process process = new ProcessBuilder("bash", script).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new AssertionError(script + " failed:\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
