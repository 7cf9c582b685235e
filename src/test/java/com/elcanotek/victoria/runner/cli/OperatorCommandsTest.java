package com.elcanotek.victoria.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.node.CredentialsStore;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.task.JournalEntry;
import com.elcanotek.victoria.runner.task.FileTaskJournal;
import com.elcanotek.victoria.runner.state.Layout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** {@code status} and {@code cleanup} as an operator runs them, against a state dir and a Victoria home made here. */
@QuarkusMainTest
class OperatorCommandsTest {

    private static final String KEY = "key-SECRET-status";
    private static final String NODE_ID = "5f0f7a52-3b1e-4c2a-9d8e-0a1b2c3d4e5f";
    private static final String HELD = "abcd1234-0000-4000-8000-000000000001";

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @TempDir
    Path dir;

    private Path state() {
        Path state = dir.resolve("state");
        Layout layout = new Layout(state, dir.resolve("Victoria"));
        new CredentialsStore(layout.credentials(), json).save(new Credentials(NODE_ID, KEY, "node-9", "https://atq.example", "2026-06-01T08:00:00Z"));
        new FileTaskJournal(layout.journal(), json).write(JournalEntry.claimed(new TaskAssignment(HELD, "prompt", "", null, List.of(), null), Instant.now()));
        return state;
    }

    @Test
    void statusPrintsTheNodeAndItsTasksFromTheStateDirAlone(QuarkusMainLauncher launcher) throws IOException {
        Path state = state();

        LaunchResult text = launcher.launch("status", "--state-dir", state.toString());
        LaunchResult asJson = launcher.launch("--state-dir", state.toString(), "status", "--json");

        assertThat(text.exitCode()).isZero();
        assertThat(text.getOutput()).contains("node-9 (" + NODE_ID + ")", "https://atq.example", HELD, "claimed")
                .doesNotContain(KEY);
        assertThat(asJson.exitCode()).isZero();
        JsonNode report = json.readTree(asJson.getOutput());
        assertThat(report.path("node_id").asText()).isEqualTo(NODE_ID);
        assertThat(report.path("tasks").get(0).path("task_id").asText()).isEqualTo(HELD);
        assertThat(report.path("outbox_depth").asInt()).isZero();
        assertThat(asJson.getOutput()).doesNotContain(KEY);
    }

    @Test
    void cleanupDryRunListsAndDeletesNothingThenCleanupDeletes(QuarkusMainLauncher launcher) throws IOException {
        Path state = state();
        Path home = dir.resolve("home");
        Path old = aged(home.resolve("tasks/0000aaaa/files/old.pdf"), 20);
        Path oldButHeld = aged(home.resolve("tasks/abcd1234/files/input.pdf"), 20);
        Path protectedFile = aged(home.resolve("VICTORIA.md"), 400);
        Path recent = aged(home.resolve("notes.txt"), 2);
        Path oldOutput = aged(new Layout(state, home).taskOutput("0000aaaa-0000-4000-8000-000000000009"), 20);
        // the test's engine holds no Victoria image, but other runs' images are not this test's to prune
        List<String> common = List.of("--victoria-home", home.toString(), "--state-dir", state.toString(), "--no-prune-images");

        LaunchResult dryRun = launcher.launch(args(common, "cleanup", "--dry-run", "--days", "10"));

        assertThat(dryRun.exitCode()).isZero();
        assertThat(dryRun.getOutput()).contains("would remove " + old, "Would remove 1 file(s)", "would remove " + oldOutput)
                .doesNotContain(oldButHeld.toString(), protectedFile.toString(), recent.toString());
        assertThat(List.of(old, oldButHeld, protectedFile, recent, oldOutput)).allMatch(Files::exists);

        LaunchResult cleanup = launcher.launch(args(common, "cleanup", "--days", "10"));

        assertThat(cleanup.exitCode()).isZero();
        assertThat(cleanup.getOutput()).contains("removed " + old, "Removed 1 file(s)", "removed " + oldOutput);
        assertThat(old).doesNotExist();
        assertThat(oldOutput).doesNotExist();
        assertThat(List.of(oldButHeld, protectedFile, recent)).allMatch(Files::exists);
    }

    @Test
    void logsShowsTheOutputKeptOfATaskWhoseContainerIsGoneWithTodaysSecretsMaskedToo(QuarkusMainLauncher launcher)
            throws IOException {
        Path state = state();
        String taskId = "feed0001-0000-4000-8000-000000000042";
        Path kept = new Layout(state, dir.resolve("home")).taskOutput(taskId);
        Files.createDirectories(kept.getParent());
        // kept before the env file gained this value, and the node key printed by the agent
        Files.writeString(kept, "step 1\nError: OPENROUTER_API_KEY sk-or-v1-rotated-42 refused; key " + KEY + "\n");
        Path envFile = Files.writeString(dir.resolve("llm.env"), "OPENROUTER_API_KEY=sk-or-v1-rotated-42\n");
        List<String> common = List.of("--state-dir", state.toString(), "--env-file", envFile.toString());

        LaunchResult shown = launcher.launch(args(common, "logs", taskId));
        LaunchResult followed = launcher.launch(args(common, "logs", "--follow", taskId));
        LaunchResult unknown = launcher.launch(args(common, "logs", "feed0002-0000-4000-8000-000000000042"));
        LaunchResult notAnId = launcher.launch(args(common, "logs", "../credentials"));

        assertThat(shown.exitCode()).isZero();
        assertThat(shown.getOutput()).isEqualTo("step 1\nError: OPENROUTER_API_KEY *** refused; key ***");
        assertThat(followed.exitCode()).as("a task already over: its kept output, at once").isZero();
        assertThat(followed.getOutput()).isEqualTo(shown.getOutput());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.getErrorOutput()).contains("No output of task feed0002-0000-4000-8000-000000000042");
        assertThat(notAnId.exitCode()).isEqualTo(2);
        assertThat(notAnId.getErrorOutput()).contains("'../credentials' is not a task id");
    }

    @Test
    void cleanupRefusesAZeroAge(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("cleanup", "--days", "0", "--victoria-home", dir.resolve("home").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.getErrorOutput()).contains("'--days'");
    }

    private static String[] args(List<String> common, String... more) {
        return java.util.stream.Stream.concat(common.stream(), java.util.stream.Stream.of(more)).toArray(String[]::new);
    }

    private static Path aged(Path file, int days) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, file.getFileName().toString());
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(days))));
        return file;
    }
}
