package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;

/** A container of this runner that no task knows is removed after the grace; others are never touched. */
class OrphanContainerIT {

    @TempDir
    Path work;

    @Test
    void unknownLabelledContainerIsRemovedAfterTheGraceAndAnUnrelatedOneIsLeftAlone() throws Exception {
        String name = "orphans-" + System.nanoTime();
        String orphan = "orphan-" + System.nanoTime();
        String unrelated = "unrelated-" + System.nanoTime();
        Podman.ensureTestImage();
        Podman.run("run", "-d", "--name", orphan, "--label", "victoria-runner.runner=" + name,
                "--label", "victoria-runner.task=00000000-dead-4000-8000-000000000000",
                RunnerProcess.TEST_IMAGE, "--accept-license", "--task", "sleep=120");
        Podman.run("run", "-d", "--name", unrelated, RunnerProcess.TEST_IMAGE, "--accept-license", "--task", "sleep=120");
        try (FakeOrchestrator fake = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, name,
                        Map.of("--heartbeat-interval", "2"),
                        Map.of("RUNNER_ORPHAN_GRACE", "2s", "RUNNER_RECONCILE_INTERVAL", "2s"))) {

            Awaitility.await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Podman.containersLabelled("victoria-runner.runner=" + name).isEmpty());

            assertThat(Podman.run("ps", "--filter", "name=" + unrelated, "--format", "{{.Names}}")).contains(unrelated);
            assertThat(runner.output()).contains("which this runner does not hold");
        } finally {
            // One name at a time: podman 4.3 removes none of several names when one is already gone.
            Podman.run("rm", "-f", "-t", "0", orphan);
            Podman.run("rm", "-f", "-t", "0", unrelated);
        }
    }
}
