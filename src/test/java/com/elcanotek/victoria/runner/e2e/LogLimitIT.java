package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.RequestRecord;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.elcanotek.victoria.runner.logs.CrushDbFixture;

/**
 * A session far over the server's 1 MiB limit on POST /logs: the runner fits it to its own budget, shrinks it
 * further when the server still answers 413, and reports the final status only after the log was taken, or
 * could not be taken at the smallest body (the final status says so).
 */
class LogLimitIT {

    static final int MIB = 1024 * 1024;
    static final int MESSAGES = 30;
    /** 30 messages of 100 kB: about 3 MB of session. */
    static final int MESSAGE_CHARS = 100_000;
    static final Duration TASK_WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void sessionIsFittedToTheRunnersBudgetAndSentOnce() throws Exception {
        try (FakeOrchestrator orchestrator = serverWithTheRealLogsLimit()) {
            TaskSnapshot done = runOneTask(orchestrator, MIB);

            assertThat(logAnswers(orchestrator)).containsExactly(200);
            assertThat(done.logSubmissions()).isEqualTo(1);
            assertNewestMessagesKeptWithinOneMib(done);
            assertThat(done.logsAcceptedAt()).isBefore(done.firstAt(TaskState.SUCCESS));
        }
    }

    @Test
    void budgetAboveTheServerLimitShrinksAfter413AndTheStatusStillFollowsTheLog() throws Exception {
        try (FakeOrchestrator orchestrator = serverWithTheRealLogsLimit()) {
            TaskSnapshot done = runOneTask(orchestrator, 4 * MIB);

            List<Integer> answers = logAnswers(orchestrator);
            assertThat(answers).startsWith(413).endsWith(200).containsOnlyOnce(200);
            assertThat(done.logSubmissions()).isEqualTo(1);
            assertNewestMessagesKeptWithinOneMib(done);
            assertThat(done.logsAcceptedAt()).isBefore(done.firstAt(TaskState.SUCCESS));
        }
    }

    @Test
    void aLogsEndpointFailingForAWhileHoldsTheFinalStatusBackUntilTheLogIsTaken() throws Exception {
        try (FakeOrchestrator orchestrator = serverWithTheRealLogsLimit()) {
            orchestrator.failNext("POST", "/logs", 500, "Internal Server Error", 20);

            TaskSnapshot done = runOneTask(orchestrator, MIB);

            assertThat(done.result()).isEqualTo("completed");
            assertThat(done.logSubmissions()).isEqualTo(1);
            assertThat(done.logsAcceptedAt()).isBefore(done.firstAt(TaskState.SUCCESS));
            assertThat(logAnswers(orchestrator)).hasSize(21).endsWith(200).containsOnlyOnce(200);
        }
    }

    @Test
    void aRefusedKeyOnLogsRegistersAgainAndSendsTheLogWithTheNewKey() throws Exception {
        try (FakeOrchestrator orchestrator = serverWithTheRealLogsLimit()) {
            orchestrator.failNext("POST", "/logs", 401, "Invalid API key", 1);

            TaskSnapshot done = runOneTask(orchestrator, MIB);

            assertThat(done.logSubmissions()).isEqualTo(1);
            assertThat(done.logsAcceptedAt()).isBefore(done.firstAt(TaskState.SUCCESS));
            assertThat(logAnswers(orchestrator)).containsExactly(401, 200);
            assertThat(orchestrator.requests()).filteredOn(request -> request.path().equals("/register")).hasSize(2);
        }
    }

    @Test
    void aSessionTooLargeEvenAtTheSmallestBodyIsSaidSoInTheFinalStatus() throws Exception {
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().logsLimitBytes(512).build().start()) {
            TaskSnapshot done = runOneTask(orchestrator, MIB);

            assertThat(done.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(done.logSubmissions()).isZero();
            assertThat(done.result()).startsWith("completed (session log not submitted: the orchestrator refused even ")
                    .endsWith(" bytes as too large)");
            assertThat(logAnswers(orchestrator)).isNotEmpty().containsOnly(413);
        }
    }

    private static FakeOrchestrator serverWithTheRealLogsLimit() {
        return FakeBackedRunner.fake().logsLimitBytes(MIB).build().start();
    }

    /** Starts a runner with {@code --logs-max-bytes logsMaxBytes} on a home holding a 3 MB session and runs one task. */
    private TaskSnapshot runOneTask(FakeOrchestrator orchestrator, int logsMaxBytes) throws Exception {
        try (FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "logs-" + ProcessHandle.current().pid(),
                Map.of("--logs-max-bytes", Integer.toString(logsMaxBytes)), Map.of())) {
            String id = orchestrator.createTask("exit=0 " + writeBigSession(runner.home()).sessionFrom());
            return orchestrator.awaitState(id, TaskState.SUCCESS, TASK_WAIT);
        }
    }

    private static CrushDbFixture writeBigSession(Path home) throws Exception {
        CrushDbFixture db = CrushDbFixture.forAgent(home, "big", CrushDbFixture.Schema.CURRENT);
        long now = System.currentTimeMillis() / 1000;
        db.session("s-big", null, now, now + MESSAGES);
        for (int i = 0; i < MESSAGES; i++) {
            String parts = "[\"" + "x".repeat(MESSAGE_CHARS) + "\"]";
            db.message(messageId(i), "s-big", i % 2 == 0 ? "user" : "assistant", parts, now + i);
        }
        return db;
    }

    private static String messageId(int index) {
        return String.format("m%02d", index);
    }

    /** The answers the fake gave to POST /logs, in order. */
    private static List<Integer> logAnswers(FakeOrchestrator orchestrator) {
        return orchestrator.requests().stream()
                .filter(request -> request.method().equals("POST") && request.path().equals("/logs"))
                .map(RequestRecord::status)
                .toList();
    }

    /** Whole messages were dropped from the oldest end only: what is left is the newest ones, in order. */
    private static void assertNewestMessagesKeptWithinOneMib(TaskSnapshot done) {
        assertThat(done.latestSession().path("id").asText()).isEqualTo("s-big");
        assertThat(done.latestSession().toString().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(MIB);
        List<String> kept = new ArrayList<>();
        done.latestSession().path("messages").forEach(message -> kept.add(message.path("id").asText()));
        // 1 MiB holds at most 10 messages of 100 kB, and a fitter that drops everything is wrong too.
        assertThat(kept).hasSizeBetween(5, 10);
        assertThat(kept).isEqualTo(IntStream.range(MESSAGES - kept.size(), MESSAGES).mapToObj(LogLimitIT::messageId).toList());
    }
}
