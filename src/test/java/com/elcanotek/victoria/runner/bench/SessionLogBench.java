package com.elcanotek.victoria.runner.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.core.ConditionTimeoutException;

import com.elcanotek.victoria.runner.e2e.FakeBackedRunner;
import com.elcanotek.victoria.runner.e2e.Launcher;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.elcanotek.victoria.runner.logs.CrushDbFixture;

/**
 * A large session log: one task whose agent left a session of many megabytes, of which the runner reads only the
 * newest messages that fit the orchestrator's limit. Its peak memory should not grow with the session: the suite
 * measures sizes ten times apart.
 */
final class SessionLogBench {

    /** Long enough for a slow machine; a runner that ran out of memory never reports at all. */
    private static final Duration REPORTED = Duration.ofSeconds(90);

    private SessionLogBench() {
    }

    static List<Figure> run(BenchRun run, Launcher launcher, int messages, int kilobytesEach) throws Exception {
        String scenario = "session log " + messages * kilobytesEach / 1024 + " MB";
        try (FakeOrchestrator fake = BenchRun.fake();
                FakeBackedRunner runner = run.start(launcher, fake,
                        "session-" + messages * kilobytesEach / 1024 + "mb-" + launcher.name(), Map.of())) {
            String id = fake.createTask("exit=0 " + writeSession(runner, messages, kilobytesEach).sessionFrom());
            boolean reported;
            try {
                BenchRun.awaitFinal(fake, List.of(id), REPORTED);
                reported = true;
            } catch (ConditionTimeoutException e) {
                reported = false;
            }
            TaskSnapshot task = fake.task(id);
            String sizes = messages + " messages of " + kilobytesEach + " KB";
            List<Figure> figures = new ArrayList<>(List.of(
                    Figure.of(scenario, "task not reported", "count", reported ? 0 : 1,
                            sizes + ": the task still had no final status after " + REPORTED.toSeconds() + " s")
                            .targetBelow(1),
                    Figure.of(scenario, "session log accepted", "count", task.logSubmissions() > 0 ? 1 : 0,
                            "the fake accepted a (cut) session log for the task"),
                    Figure.of(scenario, "peak RSS", "MB", Proc.peakRssMb(runner.pid()), "VmHWM after the task")));
            if (reported) {
                Instant running = task.firstAt(TaskState.RUNNING);
                Instant end = task.history().get(task.history().size() - 1).at();
                figures.add(Figure.of(scenario, "running -> final status", "ms", Duration.between(running, end).toMillis(),
                        "the container's run (exit=0, the agent copying the session in) plus reading, cutting and submitting"
                                + " the session log"));
            }
            return figures;
        }
    }

    /** Crush's database for the task's agent to take as the session it leaves; written before the task runs. */
    private static CrushDbFixture writeSession(FakeBackedRunner runner, int messages, int kilobytesEach) throws Exception {
        long now = Instant.now().getEpochSecond();
        CrushDbFixture db = CrushDbFixture.forAgent(runner.home(), "large", CrushDbFixture.Schema.CURRENT)
                .session("large", null, now, now);
        String text = "x".repeat(kilobytesEach * 1024);
        for (int i = 0; i < messages; i++) {
            db.message("m" + i, "large", i % 2 == 0 ? "user" : "assistant",
                    "[{\"type\":\"text\",\"data\":{\"text\":\"" + text + "\"}}]", now + i);
        }
        return db;
    }
}
