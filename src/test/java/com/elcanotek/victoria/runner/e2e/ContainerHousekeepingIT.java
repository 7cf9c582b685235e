package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;

/** Container and image housekeeping against real podman. */
class ContainerHousekeepingIT {

    @TempDir
    Path work;

    @Test
    void aFinishedContainerNoTaskKnowsIsRemovedAtOnceARunningOneWaitsForTheGrace() throws Exception {
        String name = "tidy-" + System.nanoTime();
        String finished = "finished-" + System.nanoTime();
        String running = "running-" + System.nanoTime();
        String unrelated = "unrelated-" + System.nanoTime();
        Podman.ensureTestImage();
        for (String[] container : List.of(new String[] { finished, "exit=0", name }, new String[] { running, "sleep=120", name },
                new String[] { unrelated, "exit=0", "someone-else" })) {
            Podman.run("run", "-d", "--name", container[0], "--label", "victoria-runner.runner=" + container[2],
                    "--label", "victoria-runner.task=00000000-dead-4000-8000-000000000000",
                    RunnerProcess.TEST_IMAGE, "--accept-license", "--task", container[1]);
        }
        Podman.run("wait", finished, unrelated);
        try (FakeOrchestrator fake = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, name, Map.of(), Map.of())) {

            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !Podman.containersLabelled("victoria-runner.runner=" + name).contains(finished));

            // the default orphan grace is 5 minutes: a running container of an unknown task is left alone meanwhile
            assertThat(Podman.containersLabelled("victoria-runner.runner=" + name)).containsExactly(running);
            assertThat(Podman.containersLabelled("victoria-runner.runner=someone-else")).contains(unrelated);
            assertThat(runner.output()).contains("Removing finished container " + finished);
        } finally {
            // one at a time: podman 4.3 removes none of several names when one of them is gone already
            for (String container : List.of(finished, running, unrelated)) {
                Podman.run("rm", "-f", "-t", "0", container);
            }
        }
    }

    @Test
    void cleanupPrunesOldVictoriaImagesButKeepsTheNewestTwoTheConfiguredOneAndOnesInUse() throws Exception {
        Podman.ensureTestImage();
        String repository = "localhost/victoria-prune-" + ProcessHandle.current().pid();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(build(repository + ":" + i, i));
        }
        String user = "image-user-" + System.nanoTime();
        Podman.run("create", "--name", user, repository + ":1", "--accept-license", "--task", "exit=0");
        try {
            List<String> common = List.of("--container-image", repository + ":2", "--victoria-home",
                    work.resolve("home").toString(), "--state-dir", work.resolve("state").toString(), "cleanup", "--prune-images");

            String dryRun = cleanup(common, "--dry-run");
            assertThat(dryRun).contains("would remove image " + ids.get(2).substring(0, 12))
                    .doesNotContain(ids.get(1).substring(0, 12), ids.get(3).substring(0, 12), ids.get(4).substring(0, 12));
            assertThat(tags(repository)).containsExactlyInAnyOrder("1", "2", "3", "4", "5");

            String pruned = cleanup(common);

            assertThat(pruned).contains("removed image " + ids.get(2).substring(0, 12));
            // :1 is older than the newest two but a container uses it; :2 is the configured image
            assertThat(tags(repository)).containsExactlyInAnyOrder("1", "2", "4", "5");
        } finally {
            Podman.run("rm", "-f", user);
            for (int i = 1; i <= 5; i++) {
                Podman.run("rmi", "-f", repository + ":" + i);
            }
        }
    }

    /** An image of its own (a label makes the id differ), built after the previous one. @return its id */
    private String build(String tag, int number) throws IOException {
        Path context = Files.createDirectories(work.resolve("image-" + number));
        Files.writeString(context.resolve("Containerfile"),
                "FROM " + RunnerProcess.TEST_IMAGE + "\nLABEL prune-test=" + number + "-" + System.nanoTime() + "\n");
        Podman.run("build", "-q", "-t", tag, context.toString());
        return Podman.run("image", "inspect", "--format", "{{.Id}}", tag).strip();
    }

    private static List<String> tags(String repository) {
        return Podman.run("images", "--format", "{{.Tag}}", repository).lines().map(String::strip)
                .filter(line -> !line.isEmpty()).toList();
    }

    /** The packaged runner's cleanup command. @return its output */
    private String cleanup(List<String> args, String... more) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(Launcher.standard().command());
        command.addAll(args);
        command.addAll(List.of(more));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
