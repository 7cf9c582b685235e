package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import com.elcanotek.victoria.runner.fake.TaskState;
import com.elcanotek.victoria.runner.packaging.Commands;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Operator commands typed in a root shell for a daemon that runs as a user of its own, with rootless podman, as the
 * package runs it: a real second user (made here with useradd and removed after, so root only) owns the state dir
 * and runs the daemon; {@code drain}, {@code resume} and {@code cleanup --prune-images} run as root.
 */
class ServiceUserIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    String user;
    Path userHome;
    Path runtimeDir;
    String name;
    String repository;
    FakeOrchestrator orchestrator;

    @BeforeEach
    void aUserOfItsOwnOwningTheStateDir() throws IOException {
        Commands.require("root".equals(System.getProperty("user.name")) && Commands.onPath("useradd")
                && Commands.onPath("runuser") && Commands.onPath("setpriv"),
                "ServiceUserIT makes a second user (useradd) and acts as it (runuser, setpriv), which needs root");
        Podman.ensureTestImage();
        // Others may pass through to what the user owns, no more.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        user = "vr-it-" + Long.toString(System.nanoTime() % 2_000_000_000L, 36);
        userHome = work.resolve("user-home");
        Commands.ok("useradd", "--system", "--user-group", "--create-home", "--home-dir", userHome.toString(), "--shell",
                "/usr/sbin/nologin", user);
        for (String dir : List.of("state", "home", "run")) {
            Path owned = Files.createDirectories(work.resolve(dir));
            Files.setPosixFilePermissions(owned, PosixFilePermissions.fromString("rwx------"));
            Commands.ok("chown", user + ":" + user, owned.toString());
        }
        runtimeDir = work.resolve("run");
        name = "service-user-" + System.nanoTime();
        repository = "localhost/vr-it-prune-" + System.nanoTime();
        orchestrator = FakeBackedRunner.fake().build().start();
    }

    @AfterEach
    void removeTheUserAndWhatItMade() {
        if (user == null) {
            return;
        }
        orchestrator.close();
        for (String id : Commands.lines(asUser("podman", "ps", "-aq", "--filter",
                "label=" + FakeBackedRunner.containerLabel(name)).output())) {
            asUser("podman", "rm", "-f", "-t", "0", id);
        }
        // What the user runs now was started by this test: rootless podman's pause process, at least.
        for (String pid : processesOfUser()) {
            Commands.run("kill", "-9", pid);
        }
        // userdel refuses a user that still has a process, and SIGKILL takes effect a moment later.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> processesOfUser().isEmpty());
        Commands.ok("userdel", "--remove", user);
        for (int i = 1; i <= 3; i++) {
            Commands.run("podman", "rmi", repository + ":" + i);
        }
    }

    @Test
    void drainsFromARootShellAreTheDaemonsToReadAndResumeFromRootEndsThem() throws Exception {
        loadForUser(RunnerProcess.TEST_IMAGE);
        // What an older runner's `sudo victoria-runner drain` left: root's, 0600, which the daemon's user cannot open.
        Path flag = work.resolve("state/drain");
        Files.writeString(flag, "2026-01-01T00:00:00Z\n");
        Files.setPosixFilePermissions(flag, PosixFilePermissions.fromString("rw-------"));
        try (RunnerProcess daemon = daemonAsUser()) {
            awaitOutput(daemon, "Runner '" + name + "' started");
            awaitOutput(daemon, "Draining since an unknown time (" + flag + " cannot be read");
            String first = orchestrator.createTask("exit=0");
            Thread.sleep(3000);
            assertThat(orchestrator.task(first).state()).isEqualTo(TaskState.PENDING);
            resumeAsRoot(daemon, 1);
            // Claimed; whether its container can start here (rootless podman needs /dev/net/tun) is no matter.
            Awaitility.await().atMost(WAIT).until(() -> orchestrator.task(first).state() != TaskState.PENDING);

            try (RunnerProcess drain = asRoot("drain")) {
                assertThat(drain.waitFor(WAIT)).isZero();
            }
            awaitOutput(daemon, "Draining since 20");
            assertThat(Files.getOwner(flag).getName()).isEqualTo(user);
            String second = orchestrator.createTask("exit=0");
            Thread.sleep(3000);
            assertThat(orchestrator.task(second).state()).isEqualTo(TaskState.PENDING);
            try (RunnerProcess status = RunnerProcess.start(work, setpriv(), Launcher.standard(),
                    List.of("--state-dir", work.resolve("state").toString(), "status", "--json"), Map.of())) {
                assertThat(status.waitFor(WAIT)).isZero();
                JsonNode report = new ObjectMapper().readTree(status.output().substring(status.output().indexOf('{')));
                assertThat(report.path("draining_since").asText()).startsWith("20");
            }
            resumeAsRoot(daemon, 2);
            Awaitility.await().atMost(WAIT).until(() -> orchestrator.task(second).state() != TaskState.PENDING);
        }
    }

    @Test
    void cleanupPruneImagesFromARootShellPrunesTheDaemonUsersImagesNotRoots() throws Exception {
        Path context = Files.createDirectories(work.resolve("context"));
        Files.writeString(context.resolve("Containerfile"), "FROM localhost/victoria-fake-base:test\n");
        Files.setPosixFilePermissions(context, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(context.resolve("Containerfile"), PosixFilePermissions.fromString("rw-r--r--"));
        loadForUser("localhost/victoria-fake-base:test");
        List<String> rootImages = new ArrayList<>();
        List<String> userImages = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            rootImages.add(lastLine(Podman.run("build", "-q", "--label", "built-by=root-" + i, "-t", repository + ":" + i,
                    context.toString())));
            userImages.add(lastLine(ok(asUser("podman", "build", "-q", "--label", "built-by=user-" + i, "-t",
                    repository + ":" + i, context.toString()))));
        }
        // The daemon records the environment its engine runs with (its XDG_RUNTIME_DIR) in its state dir.
        try (RunnerProcess daemon = daemonAsUser()) {
            awaitOutput(daemon, "Runner '" + name + "' started");
        }

        try (RunnerProcess dryRun = asRoot("cleanup", "--prune-images", "--dry-run", "--container-image", repository + ":3")) {
            assertThat(dryRun.waitFor(WAIT)).isZero();
            assertThat(dryRun.output()).contains("Images of user " + user)
                    .contains("would remove image " + userImages.get(0).substring(0, 12))
                    .doesNotContain(rootImages.get(0).substring(0, 12));
        }
        try (RunnerProcess cleanup = asRoot("cleanup", "--prune-images", "--container-image", repository + ":3")) {
            assertThat(cleanup.waitFor(WAIT)).isZero();
        }

        String usersLeft = ok(asUser("podman", "images", "-q", "--no-trunc", repository));
        assertThat(usersLeft).doesNotContain(userImages.get(0)).contains(userImages.get(1), userImages.get(2));
        assertThat(Podman.run("images", "-q", "--no-trunc", repository)).contains(rootImages);
    }

    private List<String> processesOfUser() {
        return Commands.lines(Commands.run("ps", "-u", user, "-o", "pid=").output());
    }

    /** The daemon as the user, as the unit starts it: its own runtime dir, its home. */
    private RunnerProcess daemonAsUser() throws IOException {
        return RunnerProcess.start(work, setpriv(), Launcher.standard(),
                FakeBackedRunner.arguments(orchestrator, work, name, Map.of()),
                Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", FakeBackedRunner.TOKEN));
    }

    /**
     * The user's identity, home and runtime dir, by exec (setpriv), so that the process the test holds is the runner
     * itself and killing it kills the runner.
     */
    private List<String> setpriv() {
        return List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "env", "HOME=" + userHome,
                "USER=" + user, "XDG_RUNTIME_DIR=" + runtimeDir);
    }

    /** Asserted, so that a timeout shows the whole output. */
    private static void awaitOutput(RunnerProcess process, String text) {
        Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(process.output()).contains(text));
    }

    private void resumeAsRoot(RunnerProcess daemon, int times) throws Exception {
        try (RunnerProcess resume = asRoot("resume")) {
            assertThat(resume.waitFor(WAIT)).isZero();
            assertThat(resume.output()).contains("Resumed: the runner claims tasks again.");
        }
        Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(daemon.occurrences("Resumed: claiming again"))
                .as(daemon.output()).isEqualTo(times));
    }

    /** A one-shot command of the runner, typed in a root shell for the daemon's state dir. */
    private RunnerProcess asRoot(String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of("--state-dir", work.resolve("state").toString(), "--victoria-home",
                work.resolve("home").toString()));
        args.addAll(List.of(command));
        return RunnerProcess.start(work, args, Map.of());
    }

    private Commands.Result asUser(String... command) {
        List<String> argv = new ArrayList<>(List.of("runuser", "-u", user, "--", "env", "--chdir=" + userHome,
                "XDG_RUNTIME_DIR=" + runtimeDir));
        argv.addAll(List.of(command));
        return Commands.run(argv.toArray(String[]::new));
    }

    private void loadForUser(String image) throws IOException {
        Path archive = work.resolve("image.tar");
        Files.deleteIfExists(archive);
        Podman.run("save", "-o", archive.toString(), image);
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-r--r--"));
        ok(asUser("podman", "load", "-q", "-i", archive.toString()));
    }

    private static String lastLine(String output) {
        List<String> lines = Commands.lines(output);
        return lines.get(lines.size() - 1);
    }

    private static String ok(Commands.Result result) {
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.output();
    }
}
