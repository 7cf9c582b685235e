package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    private static final Duration LONG = Duration.ofSeconds(10);

    private final Cli sh = new Cli(List.of("/bin/sh", "-c"));

    @TempDir
    Path dir;

    @Test
    void capturesBothStreamsAndTheExitCode() throws Exception {
        Cli.Result result = sh.run(List.of("echo out; echo err >&2; exit 7"), LONG);

        assertThat(result).isEqualTo(new Cli.Result(7, "out\n", "err\n"));
        assertThat(result.errorMessage("sh")).isEqualTo("err");
    }

    @Test
    void argumentsAreNeverShellParsed() throws Exception {
        String arg = "$(echo no) `echo no` \"q\" 'q'\n-x";

        assertThat(new Cli(List.of("printf", "%s")).run(List.of(arg), LONG).stdout()).isEqualTo(arg);
    }

    @Test
    void stdinIsClosed() throws Exception {
        assertThat(new Cli(List.of("cat")).run(List.of(), LONG)).isEqualTo(new Cli.Result(0, "", ""));
    }

    @Test
    void fullPipesDoNotDeadlock() throws Exception {
        Cli.Result result = sh.run(List.of("head -c 1000000 /dev/zero >&2; head -c 1000000 /dev/zero"), LONG);

        assertThat(result.stdout()).hasSize(1_000_000);
        assertThat(result.stderr()).hasSize(1_000_000);
    }

    @Test
    void hungProcessIsKilledEvenWhenItIgnoresSigterm() throws Exception {
        Path pidFile = dir.resolve("pid");
        long started = System.nanoTime();

        assertThatThrownBy(() -> sh.run(List.of("trap '' TERM; echo $$ > " + pidFile + "; while :; do sleep 0.1; done"),
                Duration.ofMillis(500)))
                .isInstanceOf(ContainerException.class)
                .hasMessageContaining("did not finish within 500 ms")
                .extracting(e -> ((ContainerException) e).exitCode()).isEqualTo(ContainerException.NO_EXIT_CODE);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    }

    @Test
    void interruptKillsTheProcess() throws Exception {
        Path pidFile = dir.resolve("pid");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                sh.run(List.of("echo $$ > " + pidFile + "; exec sleep 30"), LONG);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
            Thread.sleep(20);
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());

        caller.interrupt();
        caller.join(5000);

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    }

    @Test
    void missingExecutableIsAContainerException() {
        assertThatThrownBy(() -> new Cli(List.of(dir.resolve("nope").toString())).run(List.of("ps"), LONG))
                .isInstanceOf(ContainerException.class)
                .hasMessageContaining("nope ps could not be started");
    }

    @Test
    void startedCommandIsReadLineByLineAndTellsHowItEnded() throws Exception {
        try (Cli.Running running = sh.start(List.of("echo one; echo two; echo 'Error: gone' >&2; exit 3"))) {
            assertThat(running.readLine()).contains("one");
            assertThat(running.readLine()).contains("two");
            assertThat(running.readLine()).isEmpty();
            assertThat(running.ending()).endsWith("exited with code 3: Error: gone");
        }
    }

    @Test
    void closingAStartedCommandKillsAndReapsIt() throws Exception {
        Cli.Running running = sh.start(List.of("echo up; while :; do sleep 0.1; done"));
        assertThat(running.readLine()).contains("up");
        long pid = ProcessHandle.current().children().filter(p -> p.info().commandLine().orElse("").contains("echo up"))
                .findFirst().orElseThrow().pid();

        running.close();

        assertThat(running.readLine()).isEmpty();
        assertThat(Path.of("/proc", Long.toString(pid))).doesNotExist();
    }

    @Test
    void closingEndsAChildThatOutlivesItsParentAndHoldsTheOutput() throws Exception {
        Path pidFile = dir.resolve("pid");
        // sh ends on SIGTERM; its child would keep stdout open, and the reader blocked on it
        Cli.Running running = sh.start(List.of("sleep 60 & echo $! > " + pidFile + "; echo up; wait"));
        assertThat(running.readLine()).contains("up");
        ProcessHandle child = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Optional<String>> reader = threads.submit(running::readLine);
            Thread.sleep(200); // the reader is blocked in readLine by now

            threads.submit(running::close).get(30, TimeUnit.SECONDS);

            assertThat(reader.get(5, TimeUnit.SECONDS)).isEmpty();
            child.onExit().get(5, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
            threads.shutdownNow();
        }
    }

    @Test
    void startedCommandKeepsOnlyTheEndOfAnEndlessStderr() throws Exception {
        try (Cli.Running running = sh.start(List.of("head -c 1000000 /dev/zero | tr '\\0' x >&2; echo 'Error: why' >&2; exit 1"))) {
            assertThat(running.readLine()).isEmpty();
            assertThat(running.ending()).hasSizeLessThan(9000).endsWith("Error: why");
        }
    }
}
