package com.elcanotek.victoria.runner.housekeeping;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.container.PodmanRuntime;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The daemon's daily round: the held tasks are asked at each round, kept output goes at the same age, and a broken
 * image pruner stops nothing.
 */
class HousekeepingTest {

    @TempDir
    Path dir;

    @Test
    void sweepsAroundTheTasksHeldAtThatMomentAndSurvivesAnEngineThatDoesNotAnswer() throws IOException {
        Path home = dir.resolve("Victoria");
        Path output = dir.resolve("state/output");
        Path held = old(home.resolve("tasks/abcd1234/files/in.csv"));
        Path done = old(home.resolve("tasks/0000ffff/files/in.csv"));
        Path oldOutput = old(output.resolve("0000ffff-0000-4000-8000-000000000002.log"));
        Path recentOutput = Files.writeString(output.resolve("abcd1234-0000-4000-8000-000000000001.log"), "x");
        TaskAssignment task = new TaskAssignment("abcd1234-0000-4000-8000-000000000001", "p", "", null, List.of(), null);
        ImagePruner broken = new ImagePruner(new PodmanRuntime(List.of("/nonexistent/podman"), new ObjectMapper()),
                () -> "ghcr.io/elcanotek/victoria-terminal:latest");

        new Housekeeping(new WorkspaceRetention(home, Clock.systemUTC()), new WorkspaceRetention(output, Clock.systemUTC()),
                Duration.ofDays(15),
                () -> WorkspaceRetention.taskFolders(Stream.of(task)), Optional.of(broken)).run();

        assertThat(held).exists();
        assertThat(done).doesNotExist();
        assertThat(oldOutput).doesNotExist();
        assertThat(recentOutput).exists();
        assertThat(WorkspaceRetention.taskFolders(Stream.of(task))).isEqualTo(Set.of("abcd1234"));
    }

    private static Path old(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(30))));
        return file;
    }
}
