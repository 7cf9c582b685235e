package com.elcanotek.victoria.runner.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;

import io.quarkus.runtime.logging.LogRuntimeConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.config.SmallRyeConfig;

/**
 * For {@code @QuarkusIntegrationTest}, which launches the packaged runner itself (the jar, or the native
 * executable after {@code -Dnative}) with no arguments: starts the stateful fake orchestrator in the test JVM
 * and hands the runner the options {@link FakeBackedRunner} gives the runners it starts, as
 * {@code runner.defaults.<option>} system properties (the options' last source, see OptionSources), plus the
 * {@link Launcher#TEST_TIMINGS}. The registration token goes in a 0600 file: the launcher prints its command line.
 *
 * <p>Init args are {@code --option} to value and replace the defaults of the same name. Test fields of type
 * {@link FakeOrchestrator} receive the fake, fields of type {@link LaunchedRunner} the runner's folders and log.
 */
public class FakeOrchestratorResource implements QuarkusTestResourceLifecycleManager {

    private final Map<String, String> options = new LinkedHashMap<>();
    private Path dir;
    private FakeOrchestrator fake;
    private LaunchedRunner runner;

    @Override
    public void init(Map<String, String> initArgs) {
        options.putAll(initArgs);
    }

    @Override
    public Map<String, String> start() {
        Podman.ensureTestImage();
        try {
            dir = Files.createTempDirectory("victoria-qit-");
            Path tokenFile = Files.createFile(dir.resolve("registration-token"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tokenFile, FakeBackedRunner.TOKEN);
            options.putIfAbsent("--registration-token-file", tokenFile.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fake = FakeBackedRunner.fake().build().start();
        String name = "qit-" + ProcessHandle.current().pid();
        runner = new LaunchedRunner(name, dir.resolve("home"), dir.resolve("state"), launcherLogFile());

        Map<String, String> properties = new LinkedHashMap<>(Launcher.TEST_TIMINGS);
        properties.put("quarkus.management.port", "0");
        FakeBackedRunner.options(fake, dir, name, options)
                .forEach((option, value) -> properties.put("runner.defaults." + option.replaceFirst("^--", ""), value));
        return properties;
    }

    /**
     * Where the launched runner logs: the launcher passes it {@code quarkus.log.file.path} of this JVM's
     * configuration (and reads it to see the runner start); its console goes to this JVM's standard output.
     */
    private static Path launcherLogFile() {
        return ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigMapping(LogRuntimeConfig.class)
                .file().path().toPath().toAbsolutePath();
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(fake, new TestInjector.MatchesType(FakeOrchestrator.class));
        testInjector.injectIntoFields(runner, new TestInjector.MatchesType(LaunchedRunner.class));
    }

    /** Removes whatever containers the runner left, then stops the fake. Quarkus has stopped the runner by now. */
    @Override
    public void stop() {
        try (FakeOrchestrator stopping = fake) {
            if (runner != null) {
                Podman.removeLabelled(runner.containerLabel());
            }
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind fails no test
        }
    }
}
