package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * Each task submits the session its own agent wrote (the stand-in agent writes a real Crush session named after
 * its TASK_ID), never another task's: not a concurrent one's, not the previous one's.
 */
class SessionPerTaskIT {

    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path work;

    @Test
    void threeConcurrentTasksEachSendTheirOwnSession() throws Exception {
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "sessions-" + ProcessHandle.current().pid(),
                        Map.of("--max-concurrent-tasks", "3"), Map.of())) {
            // Long enough for all three to run at once, each writing into its session while the others do.
            List<String> ids = List.of(orchestrator.createTask("sleep=4 exit=0"), orchestrator.createTask("sleep=4 exit=0"),
                    orchestrator.createTask("sleep=4 exit=0"));

            for (String id : ids) {
                TaskSnapshot done = orchestrator.awaitState(id, TaskState.SUCCESS, WAIT);
                assertThat(done.logSubmissions()).isEqualTo(1);
                assertThat(done.latestSession().path("id").asText()).isEqualTo("session-" + id);
                assertThat(done.latestSession().path("messages").toString()).contains("done " + id);
                assertThat(done.logsAcceptedAt()).isBefore(done.firstAt(TaskState.SUCCESS));
            }
            List<TaskSnapshot> tasks = ids.stream().map(orchestrator::task).toList();
            // They overlapped: each started before every other ended.
            for (TaskSnapshot task : tasks) {
                for (TaskSnapshot other : tasks) {
                    assertThat(task.firstAt(TaskState.RUNNING)).isBefore(other.firstAt(TaskState.SUCCESS));
                }
            }
        }
    }

    @Test
    void aTaskWhoseAgentWroteNoSessionSendsNothingOfThePreviousTask() throws Exception {
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "sessions-" + ProcessHandle.current().pid(),
                        Map.of(), Map.of())) {
            String first = orchestrator.createTask("exit=0");
            assertThat(orchestrator.awaitState(first, TaskState.SUCCESS, WAIT).latestSession().path("id").asText())
                    .isEqualTo("session-" + first);

            String second = orchestrator.createTask("no-session exit=3");
            TaskSnapshot done = orchestrator.awaitState(second, TaskState.ERROR, WAIT);

            assertThat(done.result()).isEqualTo("container exited with code 3");
            assertThat(done.logSubmissions()).isZero();
            assertThat(done.latestSession()).isNull();
        }
    }
}
