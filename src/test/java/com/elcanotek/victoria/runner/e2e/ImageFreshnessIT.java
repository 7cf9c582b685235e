package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The image stays fresh without any outside registry: the test runs a registry of its own on loopback
 * (Debian's docker-registry, plain HTTP, which .ci/setup-podman.sh marks insecure for podman), pushes builds of
 * the stand-in image to it, and watches which build each task runs on.
 */
class ImageFreshnessIT {

    static final String REGISTRY = "127.0.0.1:5055";
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    Process registry;
    String image;
    final List<String> builtImages = new ArrayList<>();
    /** Ids of the builds pushed: a pull brings them back under the registry's name only. */
    final List<String> builtIds = new ArrayList<>();

    @BeforeEach
    void registryOfOurOwn() throws Exception {
        Podman.ensureTestImage();
        image = REGISTRY + "/victoria-fake-" + ProcessHandle.current().pid() + ":test";
        startRegistry();
    }

    @AfterEach
    void cleanUp() {
        stopRegistry();
        builtImages.add(image);
        builtImages.forEach(name -> Podman.run("rmi", "-f", name));
        builtIds.forEach(id -> Podman.run("rmi", "-f", id));
    }

    @Test
    void aHostWithoutTheImagePullsItFirstAndANewBuildReachesTheNextTaskWhileAnUnreachableRegistryChangesNothing()
            throws Exception {
        String first = push("1");
        Path authFile = Files.writeString(work.resolve("auth.json"), "{\"auths\": {}}");
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "fresh-" + ProcessHandle.current().pid(),
                        Map.of("--container-image", image, "--image-refresh-interval", "2",
                                "--registry-auth-file", authFile.toString()),
                        Map.of())) {
            Awaitility.await().atMost(WAIT).until(() -> runner.output().contains("Image " + image + " pulled"));
            assertThat(runner.output()).contains("The image " + image + " is not on this host yet: pulling it")
                    .contains("pull " + image + ": ");
            assertThat(ranOn(orchestrator, orchestrator.createTask("exit=0"))).isEqualTo(first);

            String second = push("2");
            Awaitility.await().atMost(WAIT).until(() -> runner.output().contains("Image " + image + " updated"));
            assertThat(second).isNotEqualTo(first);
            assertThat(ranOn(orchestrator, orchestrator.createTask("exit=0"))).isEqualTo(second);

            stopRegistry();
            Awaitility.await().atMost(WAIT).until(() -> runner.output().contains("Refreshing the image " + image + " failed"));
            assertThat(ranOn(orchestrator, orchestrator.createTask("exit=0"))).isEqualTo(second);
        }
    }

    @Test
    void pullAlwaysRunsEachTaskOnTheNewestBuildWithoutABackgroundRefresh() throws Exception {
        push("1");
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "always-" + ProcessHandle.current().pid(),
                        Map.of("--container-image", image, "--image-refresh-interval", "0", "--pull", "always"),
                        Map.of())) {
            ranOn(orchestrator, orchestrator.createTask("exit=0"));
            String newest = push("3");

            assertThat(ranOn(orchestrator, orchestrator.createTask("exit=0"))).isEqualTo(newest);
            assertThat(runner.output()).doesNotContain("updated (");
        }
    }

    @Test
    void aRefreshThatBringsANewBuildPrunesTheOldOnesButTheCurrentThePreviousAndOneInUse() throws Exception {
        String first = pushOnly("1");
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "prune-" + ProcessHandle.current().pid(),
                        Map.of("--container-image", image, "--image-refresh-interval", "2", "--lease-renewal-interval", "1",
                                "--log-format", "json"),
                        Map.of())) {
            Awaitility.await().atMost(WAIT).until(() -> runner.output().contains("Image " + image + " pulled"));
            String busy = orchestrator.createTask("sleep=600");
            Awaitility.await().atMost(WAIT).until(() -> orchestrator.task(busy).history().stream()
                    .anyMatch(change -> ("container started on image " + first).equals(change.message())));

            String second = pushOnly("2");
            Awaitility.await().atMost(WAIT).until(() -> updatedTo(runner, second));
            String third = pushOnly("3");
            Awaitility.await().atMost(WAIT).until(() -> updatedTo(runner, third));
            // The first is past the newest two, and its task's container still uses it.
            Awaitility.await().atMost(WAIT).until(() -> runner.output().contains("Kept old Victoria image " + shortId(first)));
            assertThat(exists(first)).isTrue();
            assertThat(exists(second)).as("the previous build").isTrue();
            assertThat(threadsThatLogged(runner, "Kept old Victoria image " + shortId(first)))
                    .as("pruned right after the refresh, by the image keeper, not by the daily round").allMatch(t -> t.startsWith("image-"));

            orchestrator.cancel(busy);
            Awaitility.await().atMost(WAIT).until(() -> Podman.containersLabelled(runner.containerLabel()).isEmpty());
            String fourth = pushOnly("4");
            Awaitility.await().atMost(WAIT).until(() -> updatedTo(runner, fourth));

            Awaitility.await().atMost(WAIT).until(() -> !exists(first) && !exists(second));
            assertThat(exists(third)).as("the previous build").isTrue();
            assertThat(exists(fourth)).as("the current build").isTrue();
            assertThat(threadsThatLogged(runner, "Removed old Victoria image ")).hasSize(2).allMatch(t -> t.startsWith("image-"));
            assertThat(runner.output()).contains("Removed old Victoria image " + shortId(first),
                    "Removed old Victoria image " + shortId(second));
        }
    }

    /** The runner said a refresh brought build {@code id} (the engine may show ids with or without "sha256:"). */
    private boolean updatedTo(FakeBackedRunner runner, String id) {
        return runner.output().lines().anyMatch(line -> line.contains("Image " + image + " updated (")
                && line.contains(id.substring("sha256:".length())));
    }

    /** The threads that logged a message starting so (the runner logs JSON here). */
    private static List<String> threadsThatLogged(FakeBackedRunner runner, String start) throws IOException {
        List<String> threads = new ArrayList<>();
        for (String line : runner.output().lines().filter(line -> line.startsWith("{")).toList()) {
            JsonNode record = JSON.readTree(line);
            if (record.path("message").asText().startsWith(start)) {
                threads.add(record.path("threadName").asText());
            }
        }
        return threads;
    }

    private static boolean exists(String id) {
        return Podman.run("image", "inspect", "--format", "{{.Id}}", id).strip().equals(id.substring("sha256:".length()));
    }

    private static String shortId(String id) {
        return id.substring("sha256:".length(), "sha256:".length() + 12);
    }

    /**
     * {@link #push} and gone from this host, so that only the runner's pulls bring builds here, under the registry's
     * name alone, as on an operator's host.
     */
    private String pushOnly(String build) throws IOException {
        String id = push(build);
        builtIds.add(id);
        Podman.run("rmi", builtImages.get(builtImages.size() - 1));
        return id;
    }

    /** The digest the task's {@code running} report named, once the task succeeded. */
    private static String ranOn(FakeOrchestrator orchestrator, String taskId) throws InterruptedException {
        TaskSnapshot done = orchestrator.awaitState(taskId, TaskState.SUCCESS, WAIT);
        return done.history().stream().map(TaskSnapshot.StatusChange::message)
                .filter(m -> m != null && m.startsWith("container started on image ")).findFirst()
                .map(m -> m.substring("container started on image ".length()))
                .orElseThrow(() -> new AssertionError("no image in the running reports: " + done.history()));
    }

    /**
     * A new build of the stand-in image (its label tells builds apart), pushed as {@link #image} and removed from
     * this host under its build name only. @return its image id, which a pull of it gives too
     */
    private String push(String build) throws IOException {
        String local = "localhost/victoria-fake-build" + build + "-" + ProcessHandle.current().pid() + ":test";
        builtImages.add(local);
        Path context = Files.createDirectories(work.resolve("build-" + build));
        Files.writeString(context.resolve("Containerfile"), "FROM " + RunnerProcess.TEST_IMAGE + "\nLABEL victoria.build=" + build + "\n");
        Podman.run("build", "-q", "-t", local, context.toString());
        Podman.run("push", "--tls-verify=false", local, "docker://" + image);
        return "sha256:" + Podman.run("image", "inspect", "--format", "{{.Id}}", local).strip();
    }

    private void startRegistry() throws Exception {
        Path storage = Files.createDirectories(work.resolve("registry"));
        Path config = Files.writeString(work.resolve("registry.yml"), """
                version: 0.1
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: %s
                """.formatted(storage, REGISTRY));
        registry = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("registry.log").toFile()).start();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> client.send(HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    private void stopRegistry() {
        if (registry != null && registry.isAlive()) {
            registry.destroyForcibly();
            try {
                registry.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
