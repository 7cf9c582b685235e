package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * A hundred short tasks through one runner with four slots: every one ends with the right status, and
 * nothing of them (containers, secret env files, journal entries) outlives them. Quarkus launches the runner
 * (the jar, or the native executable after {@code -Dnative}).
 */
@QuarkusIntegrationTest
@Tag("quarkus-integration-test")
@WithTestResource(value = FakeOrchestratorResource.class, initArgs = {
        @ResourceArg(name = "--max-concurrent-tasks", value = "4"),
        @ResourceArg(name = "--poll-interval", value = "1") })
class ManyTasksIT {

    static final int TASKS = 100;
    /** 31 to 44 s were measured on 2 shared cores; the margin absorbs a slower machine. */
    static final Duration ALL_DONE = Duration.ofSeconds(150);

    FakeOrchestrator orchestrator;
    LaunchedRunner runner;

    @Test
    void hundredTasksEndWithTheRightStatusAndLeaveNothingBehind() throws Exception {
        // Timed from registration on, so the runner's own start-up does not count.
        runner.awaitRegistered(orchestrator, Duration.ofSeconds(30));
        long started = System.nanoTime();
        Map<String, TaskState> expected = new LinkedHashMap<>();
        for (int i = 1; i <= TASKS; i++) {
            boolean failing = i % 10 == 0;
            expected.put(orchestrator.createTask(failing ? "exit=1" : "exit=0"), failing ? TaskState.ERROR : TaskState.SUCCESS);
        }

        long deadline = started + ALL_DONE.toNanos();
        for (Map.Entry<String, TaskState> task : expected.entrySet()) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            TaskSnapshot done = orchestrator.awaitState(task.getKey(), task.getValue(), left);
            assertThat(done.result()).isEqualTo(task.getValue() == TaskState.ERROR ? "container exited with code 1" : "completed");
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("ManyTasksIT: %d tasks in %.1f s, %.0f tasks/minute%n", TASKS, wall.toMillis() / 1000.0,
                TASKS * 60_000.0 / wall.toMillis());

        Podman.awaitNoneLabelled(runner.containerLabel());
        // Both are cleaned up after the final report, which the fake has already seen.
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(entries(runner.stateDir().resolve("env"))).isEmpty();
            assertThat(entries(runner.stateDir().resolve("journal"))).isEmpty();
        });
    }

    private static List<Path> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
