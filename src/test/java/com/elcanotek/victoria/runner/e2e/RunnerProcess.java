package com.elcanotek.victoria.runner.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.elcanotek.victoria.runner.container.TestEngine;

/**
 * The packaged runner started as operators start it: a child process of the jar (or of the native
 * executable when one was built), with its output captured to a file for assertions.
 */
final class RunnerProcess implements AutoCloseable {

    static final String TEST_IMAGE = TestEngine.IMAGE;

    private final Process process;
    private final Path output;
    private final Instant startedAt;

    private RunnerProcess(Process process, Path output, Instant startedAt) {
        this.process = process;
        this.output = output;
        this.startedAt = startedAt;
    }

    static RunnerProcess start(Path workDir, List<String> args, Map<String, String> environment) throws IOException {
        return start(workDir, Launcher.standard(), args, environment);
    }

    static RunnerProcess start(Path workDir, Launcher launcher, List<String> args, Map<String, String> environment)
            throws IOException {
        return start(workDir, List.of(), launcher, args, environment);
    }

    /** @param wrapper what the runner's command line is given to, e.g. {@code runuser -u USER --} */
    static RunnerProcess start(Path workDir, List<String> wrapper, Launcher launcher, List<String> args,
            Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(launcher.command());
        command.addAll(args);
        Files.createDirectories(workDir);
        Path output = Files.createTempFile(workDir, "runner-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("VICTORIA_RUNNER_"));
        env.putAll(new HashMap<>(environment));
        Instant startedAt = Instant.now();
        return new RunnerProcess(builder.start(), output, startedAt);
    }

    String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many times {@code part} is in the output so far. */
    int occurrences(String part) {
        return output().split(Pattern.quote(part), -1).length - 1;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Taken just before the process was spawned: ProcessHandle's start instant is only whole seconds on Linux. */
    Instant startedAt() {
        return startedAt;
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
