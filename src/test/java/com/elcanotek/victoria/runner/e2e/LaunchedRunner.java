package com.elcanotek.victoria.runner.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;

/**
 * The runner {@code @QuarkusIntegrationTest} launched, as {@link FakeOrchestratorResource} configured it: its name,
 * Victoria home and state dir, and the file it logs to.
 */
public record LaunchedRunner(String name, Path home, Path stateDir, Path logFile) {

    /** What the runner logged so far (every log record; its console goes to the test JVM's standard output). */
    public String output() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the runner registered with {@code fake}, so that a runner that could not start fails the test at
     * once, with what it logged, instead of after a task's whole wait.
     */
    public void awaitRegistered(FakeOrchestrator fake, Duration patience) {
        try {
            Awaitility.await().atMost(patience).pollInterval(Duration.ofMillis(100))
                    .until(() -> fake.nodes().stream().anyMatch(node -> node.name().equals(name)));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("runner " + name + " did not register within " + patience
                    + " (its console, with any usage error, is in the test output); it logged:\n" + output(), e);
        }
    }

    /** The label filter matching every container this runner started. */
    public String containerLabel() {
        return FakeBackedRunner.containerLabel(name);
    }
}
