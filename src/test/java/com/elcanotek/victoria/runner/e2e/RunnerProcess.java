package com.elcanotek.victoria.runner.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged runner started as operators start it: a child process of the jar (or of the native
 * executable when one was built), with its output captured to a file for assertions.
 */
final class RunnerProcess implements AutoCloseable {

    static final String TEST_IMAGE = "localhost/victoria-fake:test";

    private final Process process;
    private final Path output;

    private RunnerProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** The command that starts the packaged runner. */
    static List<String> launcher(List<String> systemProperties) {
        Path nativeRunner = Path.of("target").toAbsolutePath().resolve(nativeName());
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(nativeRunner)) {
            command.add(nativeRunner.toString());
            command.addAll(systemProperties);
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx256m");
            command.addAll(systemProperties);
            command.add("-jar");
            command.add(Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString());
        }
        return command;
    }

    private static String nativeName() {
        return "victoria-runner-" + System.getProperty("project.version", "0.1.0") + "-runner";
    }

    static RunnerProcess start(Path workDir, List<String> args, Map<String, String> environment) throws IOException {
        List<String> command = launcher(List.of("-Dquarkus.management.port=0", "-Drunner.retry.initial-delay=100ms",
                "-Drunner.retry.max-delay=1s", "-Drunner.reconcile-interval=3s"));
        command.addAll(args);
        Files.createDirectories(workDir);
        Path output = Files.createTempFile(workDir, "runner-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("VICTORIA_RUNNER_"));
        env.putAll(new HashMap<>(environment));
        return new RunnerProcess(builder.start(), output);
    }

    String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, as systemd stops a service. @return the exit code */
    int terminate(Duration patience) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("runner did not stop within " + patience + "\n" + output());
        }
        return process.exitValue();
    }

    /** kill -9: the crash a runner must survive. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    int waitFor(Duration patience) throws InterruptedException {
        if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("runner still running after " + patience + "\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }
}
