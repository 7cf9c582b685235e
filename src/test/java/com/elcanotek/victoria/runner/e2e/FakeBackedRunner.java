package com.elcanotek.victoria.runner.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.elcanotek.victoria.runner.container.ContainerSpec;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;

/**
 * The packaged runner started against a fake orchestrator, with its Victoria home and state dir in one
 * folder: the set-up the end-to-end tests and the benchmark share. Starting again with the same folder and
 * name gives a restarted runner the same identity and journal.
 */
public final class FakeBackedRunner implements AutoCloseable {

    public static final String TOKEN = "reg-token-e2e-SECRET";

    private final String name;
    private final Path home;
    private final Path stateDir;
    private final RunnerProcess process;

    private FakeBackedRunner(String name, Path home, Path stateDir, RunnerProcess process) {
        this.name = name;
        this.home = home;
        this.stateDir = stateDir;
        this.process = process;
    }

    /** A fake that accepts {@link #TOKEN}. */
    public static FakeOrchestrator.Builder fake() {
        return FakeOrchestrator.builder().registrationToken(TOKEN);
    }

    /**
     * Makes sure the test image exists first: it is the default image, and building it when missing is cheap.
     *
     * @param options {@code --option} to value; they replace the defaults of the same name (picocli refuses an
     *                option given twice), which poll every second and run the test image
     * @param environment added to the runner's, after the registration token
     */
    public static FakeBackedRunner start(FakeOrchestrator fake, Path dir, String name, Map<String, String> options,
            Map<String, String> environment) throws IOException {
        return start(Launcher.standard(), fake, dir, name, options, environment);
    }

    /** {@link #start(FakeOrchestrator, Path, String, Map, Map)} with another launcher than the tests'. */
    public static FakeBackedRunner start(Launcher launcher, FakeOrchestrator fake, Path dir, String name,
            Map<String, String> options, Map<String, String> environment) throws IOException {
        Podman.ensureTestImage();
        Map<String, String> env = new LinkedHashMap<>(Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", TOKEN));
        env.putAll(environment);
        return new FakeBackedRunner(name, dir.resolve("home"), dir.resolve("state"),
                RunnerProcess.start(dir, launcher, arguments(fake, dir, name, options), env));
    }

    /**
     * The command line of a runner against {@code fake}: the Victoria home in {@code dir/home}, the state in
     * {@code dir/state} (so a runner started again on the same {@code dir} is a restart), polling every second,
     * the test image; {@code options} replace these defaults of the same name. For tests that drive the
     * process themselves (kill, restart, other tokens).
     */
    public static List<String> arguments(FakeOrchestrator fake, Path dir, String name, Map<String, String> options) {
        return arguments(fake.url(), dir, name, options);
    }

    /** {@link #arguments(FakeOrchestrator, Path, String, Map)} against an orchestrator URL, where no fake need run. */
    static List<String> arguments(String url, Path dir, String name, Map<String, String> options) {
        List<String> args = new ArrayList<>();
        options(url, dir, name, options).forEach((option, value) -> args.addAll(List.of(option, value)));
        return args;
    }

    /** {@link #arguments} as {@code --option} to value, in order. */
    static Map<String, String> options(FakeOrchestrator fake, Path dir, String name, Map<String, String> options) {
        return options(fake.url(), dir, name, options);
    }

    private static Map<String, String> options(String url, Path dir, String name, Map<String, String> options) {
        Map<String, String> merged = new LinkedHashMap<>();
        merged.put("--orchestrator-url", url);
        merged.put("--name", name);
        merged.put("--poll-interval", "1");
        merged.put("--container-image", RunnerProcess.TEST_IMAGE);
        merged.put("--victoria-home", dir.resolve("home").toString());
        merged.put("--state-dir", dir.resolve("state").toString());
        merged.putAll(options);
        return merged;
    }

    public String name() {
        return name;
    }

    public Path home() {
        return home;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The label filter matching every container this runner started. */
    public String containerLabel() {
        return containerLabel(name);
    }

    /** The label filter matching every container the runner of this name started. */
    static String containerLabel(String runnerName) {
        return ContainerSpec.LABEL_RUNNER + "=" + runnerName;
    }

    /** Names of this runner's containers that are running now. */
    public List<String> runningContainers() {
        return Podman.runningLabelled(containerLabel());
    }

    public String output() {
        return process.output();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Instant startedAt() {
        return process.startedAt();
    }

    /** Kills the runner and removes whatever containers it left, so no test leaks into the next. */
    @Override
    public void close() throws InterruptedException {
        try {
            process.close();
        } finally {
            Podman.removeLabelled(containerLabel());
        }
    }
}
