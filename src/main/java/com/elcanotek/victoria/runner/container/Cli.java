package com.elcanotek.victoria.runner.container;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one container CLI command: an argv list (never a shell, so no argument is ever
 * re-parsed), stdin closed, stdout and stderr captured, and a time limit after which the
 * process is killed rather than left behind. A command that runs until stopped (e.g. {@code events})
 * is {@link #start}ed instead and read line by line.
 */
final class Cli {

    /** systemd's variables, addressed to the runner and not to the engine's processes. */
    private static final List<String> SERVICE_MANAGER_VARIABLES = List.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
            "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES");

    /** How long a CLI gets to finish after SIGTERM; podman defers SIGTERM while it holds its locks. */
    private static final Duration TERM_GRACE = Duration.ofSeconds(5);
    /** How long to wait for the output after exit; only a grandchild holding the pipe makes it matter. */
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(2);
    /** Stderr kept of a long-running command: enough for its error message, bounded however long it runs. */
    private static final int RUNNING_STDERR_LIMIT = 8192;

    private final List<String> baseCommand;
    private final Consumer<Map<String, String>> environment;

    /** {@code baseCommand} is the executable and its global options, e.g. {@code [docker, -H, unix:///run/podman/podman.sock]}. */
    Cli(List<String> baseCommand) {
        this(baseCommand, inherited -> { });
    }

    /**
     * @param environment adjusts each child's environment (inherited from the runner's), e.g. to give podman's pulls
     *                    the runner's proxy: an environment is readable by its user alone, unlike an argv
     */
    Cli(List<String> baseCommand, Consumer<Map<String, String>> environment) {
        if (baseCommand.isEmpty()) {
            throw new IllegalArgumentException("empty base command");
        }
        this.baseCommand = List.copyOf(baseCommand);
        this.environment = environment;
    }

    record Result(int exitCode, String stdout, String stderr) {

        boolean succeeded() {
            return exitCode == 0;
        }

        /** The CLI's own error message, or a plain description when it printed none. */
        String errorMessage(String command) {
            String text = ErrorText.of(stderr);
            return text.isEmpty() ? command + " exited with code " + exitCode : text;
        }
    }

    /**
     * Runs the base command followed by {@code args}.
     *
     * @throws ContainerException when the process cannot be started or exceeds {@code timeout} (it is killed)
     * @throws InterruptedException when interrupted while waiting (the process is killed first)
     */
    Result run(List<String> args, Duration timeout) throws InterruptedException {
        Process process = spawn(args, false);
        Drain stdout = new Drain(process.getInputStream(), describe(args) + " stdout", Integer.MAX_VALUE);
        Drain stderr = new Drain(process.getErrorStream(), describe(args) + " stderr", Integer.MAX_VALUE);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new ContainerException(describe(args) + " did not finish within " + timeout.toMillis()
                        + " ms and was killed", ContainerException.NO_EXIT_CODE);
            }
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        return new Result(process.exitValue(), stdout.text(), stderr.text());
    }

    /**
     * Starts the base command followed by {@code args} and returns at once; the caller reads its
     * stdout as it comes and closes it when done.
     *
     * @throws ContainerException when the process cannot be started
     */
    Running start(List<String> args) {
        return start(args, false);
    }

    /** {@link #start} with stderr merged into stdout, for a command that reports its progress on either. */
    Running startMerged(List<String> args) {
        return start(args, true);
    }

    private Running start(List<String> args, boolean mergeStderr) {
        Process process = spawn(args, mergeStderr);
        return new Running(process, describe(args),
                new Drain(process.getErrorStream(), describe(args) + " stderr", RUNNING_STDERR_LIMIT));
    }

    /** A command started by {@link #start}. Closing it kills it and reaps it, so it never outlives its reader. */
    static final class Running implements AutoCloseable {

        private final Process process;
        private final String command;
        private final BufferedReader stdout;
        private final Drain stderr;

        private Running(Process process, String command, Drain stderr) {
            this.process = process;
            this.command = command;
            this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.stderr = stderr;
        }

        /** Kills the command if it still runs after {@code timeout}: its reader then sees the end of its output. */
        void killAfter(Duration timeout) {
            CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
                if (process.isAlive()) {
                    kill(process);
                }
            });
        }

        /** Blocks for the next line of stdout; empty once the command has ended or was closed. */
        Optional<String> readLine() {
            try {
                return Optional.ofNullable(stdout.readLine());
            } catch (IOException e) {
                // the pipe was closed under us by close(): that is the end
                return Optional.empty();
            }
        }

        /**
         * Copies the command's output, as bytes, to {@code sink} until the command ends or is killed; instead of
         * {@link #readLine}, never both.
         *
         * @throws IOException when {@code sink} fails
         */
        void copyTo(OutputStream sink) throws IOException {
            InputStream output = process.getInputStream();
            byte[] chunk = new byte[8192];
            while (true) {
                int n;
                try {
                    n = output.read(chunk);
                } catch (IOException closed) {
                    // closed under us by close() or a kill: that is the end
                    return;
                }
                if (n < 0) {
                    return;
                }
                sink.write(chunk, 0, n);
            }
        }

        /** How the command ended, e.g. "podman events exited with code 125: Error: ...", for the log. */
        String ending() throws InterruptedException {
            if (!process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return command + " closed its output but still runs";
            }
            String text = ErrorText.of(stderr.text());
            return command + " exited with code " + process.exitValue() + (text.isEmpty() ? "" : ": " + text);
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                kill(process);
            }
            try {
                stdout.close();
            } catch (IOException ignored) {
                // nothing more will be read from it either way
            }
        }
    }

    private Process spawn(List<String> args, boolean mergeStderr) {
        List<String> argv = new ArrayList<>(baseCommand);
        argv.addAll(args);
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(mergeStderr);
            // systemd's variables are addressed to the runner: podman, seeing NOTIFY_SOCKET, would pass a container's
            // readiness, and its conmon's pid as MAINPID, to the runner's unit
            builder.environment().keySet().removeAll(SERVICE_MANAGER_VARIABLES);
            environment.accept(builder.environment());
            process = builder.start();
        } catch (IOException e) {
            throw new ContainerException(describe(args) + " could not be started: " + e.getMessage(),
                    ContainerException.NO_EXIT_CODE, e);
        }
        // a CLI that asks a question (e.g. which registry to pull from) must see EOF, not hang
        closeQuietly(process);
        return process;
    }

    /** E.g. "podman inspect": names the command in messages without the (possibly long) arguments. */
    String describe(List<String> args) {
        String executable = baseCommand.get(0);
        String shortName = executable.substring(executable.lastIndexOf('/') + 1);
        return args.isEmpty() ? shortName : shortName + " " + args.get(0);
    }

    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the child already closed its end: it reads nothing, which is what we want
        }
    }

    /**
     * SIGTERM first (a podman killed mid-operation can leave its locks and storage dirty), then
     * SIGKILL for it and whatever it started, and always reaps it so no zombie is left.
     */
    private static void kill(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        if (!awaitUninterruptibly(process, TERM_GRACE)) {
            process.destroyForcibly();
            awaitUninterruptibly(process, TERM_GRACE);
        }
        // Also after a parent that ended on SIGTERM: a child that outlives it (rootless podman re-executes
        // itself in its user namespace) holds the output pipe open, and a reader blocked on it, for good.
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** Waits even when the thread is interrupted (cleanup must finish), then restores the flag. */
    private static boolean awaitUninterruptibly(Process process, Duration limit) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (true) {
                try {
                    return process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Reads one output stream on its own thread, so a full stderr pipe cannot block stdout or vice
     * versa. Keeps the last {@code limit} bytes, where a failing command says why, and reads the rest away.
     */
    private static final class Drain {

        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in, String name, int limit) {
            thread = new Thread(() -> {
                try (in) {
                    byte[] chunk = new byte[8192];
                    for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                        synchronized (buffer) {
                            buffer.write(chunk, 0, n);
                            if (buffer.size() > limit) {
                                byte[] all = buffer.toByteArray();
                                buffer.reset();
                                buffer.write(all, all.length - limit, limit);
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the stream closed under us because the process was killed: keep what was read
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        String text() throws InterruptedException {
            thread.join(DRAIN_LIMIT.toMillis());
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
