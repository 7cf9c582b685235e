package com.elcanotek.victoria.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged runner on a host without podman or docker. Runs the jar as a child process, because
 * only a child's PATH can be emptied of the runtimes this build host has.
 */
class NoContainerRuntimeIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @TempDir
    Path tmp;

    @Test
    void theDaemonExitsOneWhenNoRuntimeIsOnThePath() throws Exception {
        assertThat(JAR).as("packaged runner (run after mvn package)").exists();
        Path javaBin = Path.of(System.getProperty("java.home"), "bin");
        ProcessBuilder builder = new ProcessBuilder(javaBin.resolve("java").toString(),
                "-Dquarkus.management.port=0", "-jar", JAR.toString(),
                "--orchestrator-url", "https://orchestrator.example", "--state-dir", tmp.resolve("state").toString())
                .redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile());
        builder.environment().clear();
        builder.environment().put("PATH", javaBin.toString());
        builder.environment().put("VICTORIA_RUNNER_REGISTRATION_TOKEN", "t");

        Process runner = builder.start();
        boolean exited = runner.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            runner.destroyForcibly();
        }

        assertThat(exited).as("exited").isTrue();
        assertThat(runner.exitValue()).isEqualTo(1);
        assertThat(Files.readAllLines(tmp.resolve("err.txt"), StandardCharsets.UTF_8))
                .contains("No container runtime found. Install podman or docker.");
    }
}
