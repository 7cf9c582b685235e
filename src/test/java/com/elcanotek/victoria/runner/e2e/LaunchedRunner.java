package com.elcanotek.victoria.runner.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /** The label filter matching every container this runner started. */
    public String containerLabel() {
        return FakeBackedRunner.containerLabel(name);
    }
}
