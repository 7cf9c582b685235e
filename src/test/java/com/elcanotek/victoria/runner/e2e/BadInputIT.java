package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * Odd input in a claimed task never strands it until its lease expires: a field of the wrong type, a missing
 * prompt or a prompt no command line can carry ends as {@code error} naming the problem, and an
 * {@code orchestrator_url} of another origin never receives the node key.
 */
class BadInputIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void unrunnableTasksAreReportedAsErrorsNamingTheProblem() throws Exception {
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "bad-" + ProcessHandle.current().pid(),
                        Map.of("--max-concurrent-tasks", "4"), Map.of())) {
            Map<String, String> expected = Map.of(
                    orchestrator.createTask(TaskSpec.builder("exit=0").extra("prompt", null).build()),
                    "the task cannot be run: prompt is null, not a string",
                    orchestrator.createTask(TaskSpec.builder("exit=0").extra("files", Arrays.asList("a.txt", null)).build()),
                    "the task cannot be run: files[1] is null, not a string",
                    orchestrator.createTask(TaskSpec.builder("exit=0").extra("file_checksums", "abc").build()),
                    "the task cannot be run: file_checksums is the string \"abc\", not a list of strings",
                    orchestrator.createTask(TaskSpec.builder("exit=0").extra("orchestrator_url", 42).build()),
                    "the task cannot be run: orchestrator_url is the number 42, not a string",
                    orchestrator.createTask(TaskSpec.builder("exit=0").extra("timeout_seconds", "soon").build()),
                    "the task cannot be run: timeout_seconds is the string \"soon\", not a whole number of seconds",
                    orchestrator.createTask("x".repeat(128 * 1024)),
                    "the prompt is 131072 bytes; the agent takes it as one command-line argument, and Linux allows at most"
                            + " 131071 bytes in one (MAX_ARG_STRLEN)");

            for (Map.Entry<String, String> task : expected.entrySet()) {
                assertThat(orchestrator.awaitState(task.getKey(), TaskState.ERROR, WAIT).result()).isEqualTo(task.getValue());
            }
        }
    }

    @Test
    void anOrchestratorUrlOfAnotherOriginNeverReachesTheAgent() throws Exception {
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "origin-" + ProcessHandle.current().pid(),
                        Map.of(), Map.of())) {
            String foreign = orchestrator.createTask(TaskSpec.builder("exit=0").extra("orchestrator_url", "https://elsewhere.example/api").build());
            String own = orchestrator.createTask(TaskSpec.builder("exit=0").extra("orchestrator_url", orchestrator.url() + "/api").build());

            orchestrator.awaitState(foreign, TaskState.SUCCESS, WAIT);
            orchestrator.awaitState(own, TaskState.SUCCESS, WAIT);

            assertThat(agentEnv(runner, foreign)).contains("ORCHESTRATOR_URL=" + orchestrator.url() + "\n");
            assertThat(agentEnv(runner, own)).contains("ORCHESTRATOR_URL=" + orchestrator.url() + "/api\n");
            assertThat(runner.output()).contains("is not the configured orchestrator's origin");
        }
    }

    /** What the stand-in agent saw of its environment. */
    private static String agentEnv(FakeBackedRunner runner, String taskId) throws Exception {
        return Files.readString(runner.home().resolve("runs").resolve(taskId).resolve("env"));
    }
}
