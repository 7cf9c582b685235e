package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.RequestRecord;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * Odd input in a claimed task never strands it until its lease expires: a field of the wrong type, a missing
 * prompt or a prompt no command line can carry (too long, a NUL, a character the runner's locale cannot encode)
 * ends as {@code error} naming the problem, never as a host failure or a prompt the agent sees changed, and an
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
                    "the task cannot be run: timeout_seconds is the string \"soon\", not a number of seconds",
                    orchestrator.createTask("exit=0 \0"),
                    "the prompt holds a NUL character (at character 7); the agent takes it as one"
                            + " command-line argument, and a NUL ends an argument",
                    orchestrator.createTask("x".repeat(128 * 1024)),
                    "the prompt is 131072 bytes; the agent takes it as one command-line argument, and Linux allows at most"
                            + " 131071 bytes in one (MAX_ARG_STRLEN)");

            String escaping = "../../escape-" + ProcessHandle.current().pid() + "\nFORGED log line";
            orchestrator.createTask(TaskSpec.builder("exit=0").extra("task_id", escaping).build());

            for (Map.Entry<String, String> task : expected.entrySet()) {
                assertThat(orchestrator.awaitState(task.getKey(), TaskState.ERROR, WAIT).result()).isEqualTo(task.getValue());
            }
            // An id that cannot name a file is reported all the same (the fake knows no such task), and names none.
            // It is claimed last, so its report may still be on its way.
            await().atMost(WAIT).untilAsserted(() -> assertThat(orchestrator.requests()).anySatisfy(request -> assertThat(request)
                    .extracting(RequestRecord::path, RequestRecord::taskId, RequestRecord::reportedStatus)
                    .containsExactly("/status", escaping, "error")));
            try (Stream<Path> files = Files.walk(work)) {
                assertThat(files).noneMatch(path -> path.getFileName().toString().startsWith("escape-"));
            }
            assertThat(runner.output()).contains("\\u000aFORGED log line").doesNotContain("\nFORGED log line");
        }
    }

    @Test
    void aPromptTheLocaleCannotCarryIsAnErrorNamingTheLocaleNeverAMangledPrompt() throws Exception {
        String prompt = "exit=0 caf\u00e9 \u4e2d\u6587 \ud83d\ude00";
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start()) {
            try (FakeBackedRunner utf8 = FakeBackedRunner.start(orchestrator, work.resolve("utf8"),
                    "utf8-" + ProcessHandle.current().pid(), Map.of(), Map.of("LC_ALL", "C.UTF-8"))) {
                String task = orchestrator.createTask(prompt);
                orchestrator.awaitState(task, TaskState.SUCCESS, WAIT);
                assertThat(utf8.home().resolve("runs").resolve(task).resolve("prompt")).hasContent(prompt);
            }
            try (FakeBackedRunner ascii = FakeBackedRunner.start(orchestrator, work.resolve("ascii"),
                    "ascii-" + ProcessHandle.current().pid(), Map.of(), Map.of("LC_ALL", "C"))) {
                String task = orchestrator.createTask(prompt);
                assertThat(orchestrator.awaitState(task, TaskState.ERROR, WAIT).result()).isEqualTo("the prompt holds U+00E9"
                        + " (at character 10), which the runner's locale charset US-ASCII cannot put on a command line; run"
                        + " the runner in a UTF-8 locale (e.g. LC_ALL=C.UTF-8)");
                assertThat(ascii.output()).contains("The locale's charset is US-ASCII, not UTF-8");
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
