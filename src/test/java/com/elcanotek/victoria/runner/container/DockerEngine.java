package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Docker engine of the tests' own (Debian's docker.io: dockerd and the containerd it starts), started on first
 * use once per test JVM and stopped when the JVM ends. It keeps apart from podman, from the host and from the
 * engines of other test JVMs: its data root, exec root, socket, pidfile and log in one temporary folder, containerd
 * namespaces of its own (should a system containerd run, dockerd would use it), no iptables rules and no bridge
 * (containers get no network, which the stand-in agent does not need). The test image, which build-image.sh builds
 * with podman, is loaded into it with {@code podman save | docker load}. Stopping removes every container in it,
 * then the engine and its folder; an engine that a killed JVM left is ended by the next start.
 */
public final class DockerEngine {

    private static final String DIR_PREFIX = "victoria-dockerd-";
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(30);
    private static DockerEngine shared;

    private final Path dir;
    private final Process daemon;
    private final TestEngine cli;

    private DockerEngine(Path dir, Process daemon) {
        this.dir = dir;
        this.daemon = daemon;
        this.cli = TestEngine.dockerAt(host());
    }

    /** The engine of this JVM, started on the first call. */
    public static synchronized DockerEngine shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "docker-engine-stop"));
        }
        return shared;
    }

    /** For {@code docker -H} or {@code DOCKER_HOST}. */
    public String host() {
        return "unix://" + dir.resolve("docker.sock");
    }

    /** The code under test on this engine: the docker CLI on PATH, as the runner finds it, with {@code -H}. */
    DockerRuntime runtime(ObjectMapper mapper) {
        return new DockerRuntime(List.of(TestEngine.dockerCli().toString(), "-H", host()), mapper);
    }

    /** The docker CLI on this engine, for set-up and assertions. */
    public TestEngine cli() {
        return cli;
    }

    private static DockerEngine start() {
        TestEngine.podman();
        TestEngine.dockerCli();
        Path dockerd = PathLookup.fromEnvironment().find("dockerd").or(() -> Optional.of(Path.of("/usr/sbin/dockerd"))
                .filter(Files::isExecutable))
                .orElseGet(() -> fail("dockerd is not installed (Debian: docker.io): run .ci/setup-podman.sh as root"));
        endLeftovers();
        long started = System.nanoTime();
        DockerEngine engine;
        try {
            Path dir = Files.createTempDirectory(DIR_PREFIX + ProcessHandle.current().pid() + "-");
            String namespace = "victoria-test-" + dir.getFileName();
            List<String> argv = List.of(dockerd.toString(),
                    "--data-root", dir.resolve("data").toString(),
                    "--exec-root", dir.resolve("exec").toString(),
                    "-H", "unix://" + dir.resolve("docker.sock"),
                    "--pidfile", dir.resolve("docker.pid").toString(),
                    "--iptables=false", "--ip-masq=false", "--bridge=none",
                    "--containerd-namespace", namespace, "--containerd-plugins-namespace", namespace + "-plugins");
            Process daemon = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("dockerd.log").toFile()).start();
            engine = new DockerEngine(dir, daemon);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start dockerd", e);
        }
        String versions = engine.awaitUp();
        engine.loadTestImage();
        System.out.printf("Docker engine for the tests at %s: %s, up with the test image in %d ms%n", engine.host(),
                versions, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return engine;
    }

    /** Until the CLI gets an answer from the engine. @return the CLI's and the engine's versions */
    private String awaitUp() {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        List<String> version = new ArrayList<>(cli.command());
        version.addAll(List.of("version", "--format", "CLI {{.Client.Version}} (API {{.Client.APIVersion}}), "
                + "engine {{.Server.Version}} (API {{.Server.APIVersion}})"));
        while (System.nanoTime() < deadline && daemon.isAlive()) {
            Cli.Result result = TestEngine.run(version);
            if (result.exitCode() == 0) {
                return result.stdout().strip();
            }
            sleep(Duration.ofMillis(100));
        }
        String log = log();
        stop();
        return fail("dockerd did not come up within " + START_LIMIT + " (exit " + (daemon.isAlive() ? "none" : daemon.exitValue())
                + "); its log:\n" + log);
    }

    private void loadTestImage() {
        Path tar = dir.resolve("image.tar");
        Cli.Result saved = TestEngine.run(List.of("podman", "save", "-o", tar.toString(), TestEngine.IMAGE));
        if (saved.exitCode() != 0) {
            stop();
            fail("podman save " + TestEngine.IMAGE + " failed: " + saved.stderr());
        }
        try {
            cli.call("load", "-q", "-i", tar.toString());
            Files.delete(tar);
        } catch (IOException | AssertionError e) {
            stop();
            throw new IllegalStateException("cannot load " + TestEngine.IMAGE + " into the tests' docker engine", e);
        }
    }

    private String log() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("dockerd.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Every container in it is the tests': removed at once, so that dockerd need not stop them one by one. */
    private void stop() {
        try {
            List<String> ids = cli.call("ps", "-a", "-q").lines().filter(line -> !line.isBlank()).toList();
            if (!ids.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                rm.addAll(ids);
                cli.call(rm.toArray(String[]::new));
            }
        } catch (AssertionError | RuntimeException e) {
            System.err.println("Could not remove the containers of the tests' docker engine: " + e.getMessage());
        }
        end(daemon.toHandle(), dir);
        removeFolder(dir);
    }

    /** SIGTERM, as systemd stops dockerd (which then stops its containerd), and SIGKILL for what outlives it. */
    private static void end(ProcessHandle dockerd, Path dir) {
        dockerd.destroy();
        try {
            dockerd.onExit().get(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            dockerd.destroyForcibly();
        }
        ProcessHandle.allProcesses().filter(process -> mentions(process, dir)).forEach(ProcessHandle::destroyForcibly);
    }

    private static boolean mentions(ProcessHandle process, Path dir) {
        return process.info().arguments().map(args -> String.join(" ", args).contains(dir.toString())).orElse(false);
    }

    /** Engines whose JVM is gone (killed before its shutdown hook ran), and their folders. */
    private static void endLeftovers() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                String[] parts = dir.getFileName().toString().substring(DIR_PREFIX.length()).split("-");
                if (!parts[0].matches("\\d+") || ProcessHandle.of(Long.parseLong(parts[0])).isPresent()) {
                    continue;
                }
                readPid(dir.resolve("docker.pid")).flatMap(ProcessHandle::of).filter(process -> mentions(process, dir))
                        .ifPresent(dockerd -> end(dockerd, dir));
                removeFolder(dir);
                System.out.println("Removed the docker engine a killed test JVM left in " + dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Mounts left under it (a dockerd that was killed) are detached first; rm never crosses into a mount. */
    private static void removeFolder(Path dir) {
        try {
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" ")[4])
                    .filter(point -> point.startsWith(dir + "/"))
                    .sorted(Comparator.comparing(String::length).reversed())
                    .toList();
            for (String point : mounts) {
                TestEngine.run(List.of("umount", "-l", point));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Cli.Result removed = TestEngine.run(List.of("rm", "-rf", "--one-file-system", dir.toString()));
        if (removed.exitCode() != 0) {
            System.err.println("Could not remove " + dir + ": " + removed.stderr());
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
