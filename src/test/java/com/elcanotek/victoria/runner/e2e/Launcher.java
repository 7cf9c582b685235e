package com.elcanotek.victoria.runner.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * How the packaged runner is started: the native executable, or the jar on this JVM with some JVM options;
 * either with some {@code -D} properties. The tests take {@link #standard()}; the benchmark compares launchers.
 */
public record Launcher(String name, Path nativeExecutable, List<String> jvmOptions, List<String> systemProperties) {

    /** The management port is fixed by default: runners started side by side each need their own. */
    private static final List<String> ANY_MANAGEMENT_PORT = List.of("-Dquarkus.management.port=0");
    private static final Path APP = Path.of("target", "quarkus-app");

    /**
     * Quick retries and reconciliation, so that tests need not wait out production intervals: the tests' runners
     * get these as system properties, whoever launches them (this launcher or {@code @QuarkusIntegrationTest}).
     */
    static final Map<String, String> TEST_TIMINGS = orderedMap("runner.retry.initial-delay", "100ms",
            "runner.retry.max-delay", "1s", "runner.reconcile-interval", "3s");

    public Launcher {
        jvmOptions = List.copyOf(jvmOptions);
        systemProperties = List.copyOf(systemProperties);
    }

    /**
     * The tests' runner: the native executable when one was built, else the jar with a 256 MB heap cap; with the
     * {@link #TEST_TIMINGS}.
     */
    public static Launcher standard() {
        Launcher launcher = nativeBuilt().orElse(jvm("jvm", List.of("-Xmx256m")));
        for (Map.Entry<String, String> timing : TEST_TIMINGS.entrySet()) {
            launcher = launcher.withProperty(timing.getKey(), timing.getValue());
        }
        return launcher;
    }

    /** This launcher with one more system property (a later one of the same name wins). */
    public Launcher withProperty(String property, String value) {
        List<String> properties = new ArrayList<>(systemProperties);
        properties.add("-D" + property + "=" + value);
        return new Launcher(name, nativeExecutable, jvmOptions, properties);
    }

    private static Map<String, String> orderedMap(String... namesAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** The jar with these JVM options and otherwise production settings. */
    public static Launcher jvm(String name, List<String> jvmOptions) {
        return new Launcher(name, null, jvmOptions, ANY_MANAGEMENT_PORT);
    }

    /**
     * The jar with these JVM options as the packages' {@code /usr/bin/victoria-runner} starts it: with the
     * class-data-sharing archive beside the jar when there is one ({@code deploy/packaging/make-cds-archive}, which
     * {@code bench/lib.sh} runs), its warnings silenced.
     */
    public static Launcher packaged(String name, List<String> jvmOptions) {
        List<String> options = new ArrayList<>(cdsOptions(APP.resolve("app-cds.jsa")));
        options.addAll(jvmOptions);
        return jvm(name, options);
    }

    /** The options {@code /usr/bin/victoria-runner} adds for the archive: none when there is none. */
    static List<String> cdsOptions(Path archive) {
        return Files.isRegularFile(archive)
                ? List.of("-XX:SharedArchiveFile=" + archive.toAbsolutePath(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off")
                : List.of();
    }

    /** {@code target/*-runner}, if {@code ./mvnw package -Pnative} built it. */
    public static Optional<Launcher> nativeBuilt() {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(file -> file.getFileName().toString().endsWith("-runner") && Files.isRegularFile(file)
                    && Files.isExecutable(file)).findFirst()
                    .map(file -> new Launcher("native", file.toAbsolutePath(), List.of(), ANY_MANAGEMENT_PORT));
        } catch (IOException e) {
            return Optional.empty(); // no target folder: nothing was built
        }
    }

    public boolean isNative() {
        return nativeExecutable != null;
    }

    /** The command up to the runner's own arguments. */
    List<String> command() {
        List<String> command = new ArrayList<>();
        if (isNative()) {
            command.add(nativeExecutable.toString());
            command.addAll(systemProperties);
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(systemProperties);
            command.add("-jar");
            command.add(APP.resolve("quarkus-run.jar").toAbsolutePath().toString());
        }
        return command;
    }
}
