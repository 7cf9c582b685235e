package com.elcanotek.victoria.runner.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.PodmanRuntime;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The engine check of readiness and of every claim, against a CLI standing in for podman: the real one while a flag
 * file is absent, an engine error or a hang while it is there.
 */
class RuntimeProbeTest {

    @TempDir
    Path dir;

    private final ExecutorService asker = Executors.newSingleThreadExecutor();

    @AfterEach
    void endTheQuestionInFlight() {
        // interrupted, the CLI call kills its process
        asker.shutdownNow();
    }

    @Test
    void aHungEngineReadsAsNotAnsweringWithinThePatienceAndIsAskedOneQuestionAtATime() throws IOException {
        Path calls = dir.resolve("calls");
        RuntimeProbe probe = probe(cli("echo call >> '" + calls + "'\nexec sleep 60"));
        long start = System.nanoTime();

        assertThat(probe.version()).isEmpty();
        assertThat(probe.admitsClaim()).isFalse();
        assertThat(probe.admitsClaim()).isFalse();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(RuntimeProbe.PATIENCE.plusSeconds(3));
        assertThat(Files.readAllLines(calls)).hasSize(1);
        assertThat(probe.closedBecause()).hasValueSatisfying(
                reason -> assertThat(reason).startsWith("the container engine has not answered for"));
    }

    @Test
    void aFailingEngineAdmitsNoClaimUntilItAnswersAgain() throws IOException {
        Path broken = Files.createFile(dir.resolve("broken"));
        RuntimeProbe probe = probe(cli("if [ -e '" + broken + "' ]; then echo 'Error: cannot connect to the engine' >&2; exit 125; fi\n"
                + "exec podman \"$@\""));

        assertThat(probe.admitsClaim()).isFalse();
        assertThat(probe.closedBecause()).hasValueSatisfying(reason -> assertThat(reason)
                .startsWith("the container engine does not answer: ").contains("cannot connect to the engine"));
        assertThat(probe.version()).as("the answer of a moment ago").isEmpty();

        Files.delete(broken);
        assertThat(probe.admitsClaim()).as("asked afresh").isTrue();
        assertThat(probe.closedBecause()).isEmpty();
        assertThat(probe.version()).hasValueSatisfying(version -> assertThat(version).startsWith("podman "));
    }

    private RuntimeProbe probe(ContainerRuntime runtime) {
        return new RuntimeProbe(runtime, Clock.systemUTC(), asker);
    }

    private ContainerRuntime cli(String script) throws IOException {
        Path cli = dir.resolve("podman");
        Files.writeString(cli, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwx------"));
        return new PodmanRuntime(List.of(cli.toString()), new ObjectMapper());
    }
}
