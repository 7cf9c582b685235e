package com.elcanotek.victoria.runner.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.node.CredentialsStore;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.state.StateFiles;
import com.elcanotek.victoria.runner.task.JournalEntry;
import com.elcanotek.victoria.runner.task.FileTaskJournal;
import com.elcanotek.victoria.runner.state.Layout;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The status of a runner read from a state dir as a daemon leaves it, without any orchestrator. */
class StatusReaderTest {

    private static final String KEY = "key-SECRET-789";
    private static final String NODE_ID = "5f0f7a52-3b1e-4c2a-9d8e-0a1b2c3d4e5f";
    private static final Instant CLAIMED = Instant.parse("2026-06-30T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-06-30T10:05:30Z");

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @TempDir
    Path state;

    private Layout layout() {
        return new Layout(state, state.resolve("Victoria"));
    }

    private void daemonWasHere() {
        new CredentialsStore(layout().credentials(), json).save(new Credentials(NODE_ID, KEY, "node-7", "https://atq.example", "2026-06-01T08:00:00Z"));
        FileTaskJournal journal = new FileTaskJournal(layout().journal(), json);
        journal.write(JournalEntry.claimed(task("11111111-aaaa-4000-8000-000000000001"), CLAIMED)
                .started("victoria-11111111", CLAIMED.plusSeconds(2)).ranOn("sha256:" + "ab".repeat(32)));
        journal.write(JournalEntry.claimed(task("22222222-bbbb-4000-8000-000000000002"), CLAIMED)
                .exited(0, "success", "completed", CLAIMED.plusSeconds(60)));
        new StatusFile(layout().statusFile(), json).record(Optional.of(NOW.minusSeconds(4)), Optional.empty(), Optional.empty());
    }

    private static TaskAssignment task(String id) {
        return new TaskAssignment(id, "prompt", "", null, List.of(), null);
    }

    @Test
    void showsNodeTasksOutboxAndLastContact() throws Exception {
        daemonWasHere();

        StatusReport report = new StatusReader(layout(), json, Clock.fixed(NOW, ZoneOffset.UTC)).read();

        assertThat(report.nodeName()).isEqualTo("node-7");
        assertThat(report.nodeId()).isEqualTo(NODE_ID);
        assertThat(report.orchestratorUrl()).isEqualTo("https://atq.example");
        assertThat(report.registeredAt()).isEqualTo("2026-06-01T08:00:00Z");
        assertThat(report.lastContact()).isEqualTo(NOW.minusSeconds(4));
        assertThat(report.daemonPid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(report.daemonRunning()).isTrue();
        assertThat(report.outboxDepth()).isEqualTo(1);
        assertThat(report.tasks()).extracting(StatusReport.Task::taskId, StatusReport.Task::stage, StatusReport.Task::container,
                StatusReport.Task::runningForSeconds, StatusReport.Task::image).containsExactly(
                        tuple("11111111-aaaa-4000-8000-000000000001", "container_started",
                                "victoria-11111111", 330L, "sha256:" + "ab".repeat(32)),
                        tuple("22222222-bbbb-4000-8000-000000000002", "exited",
                                null, 330L, null));

        String text = StatusText.format(report, NOW);
        String asJson = json.writeValueAsString(report);
        assertThat(text).doesNotContain("Limits:");
        assertThat(text).contains("node-7 (" + NODE_ID + ")", "https://atq.example", "running (pid", "(4s ago)",
                "victoria-11111111", "5m 30s", "Outbox:           1 final status", "sha256:" + "ab".repeat(32));
        assertThat(asJson).contains("\"node_id\":\"" + NODE_ID + "\"", "\"outbox_depth\":1", "\"last_contact\":\"2026-06-30T10:05:26Z\"");
        assertThat(List.of(text, asJson)).noneMatch(out -> out.contains(KEY));
    }

    /** Limits the daemon's engine does not enforce are shown while it runs, in text and JSON. */
    @Test
    void showsTheLimitsTheEngineDoesNotEnforce() throws Exception {
        daemonWasHere();
        String warning = "not enforced on this host (rootless podman, cgroup v1, cgroupfs cgroup manager): --memory 8g; "
                + "rootless podman sets no cgroup limits on cgroup v1";
        new StatusFile(layout().statusFile(), json).record(Optional.of(NOW), Optional.empty(), Optional.of(warning));

        StatusReport report = new StatusReader(layout(), json, Clock.fixed(NOW, ZoneOffset.UTC)).read();

        assertThat(report.limitsNotEnforced()).isEqualTo(warning);
        assertThat(StatusText.format(report, NOW)).contains("Limits:           " + warning + "\n");
        assertThat(json.writeValueAsString(report)).contains("\"limits_not_enforced\":\"not enforced on this host");
    }

    @Test
    void anEmptyStateDirSaysNotRegistered() {
        StatusReport report = new StatusReader(new Layout(state.resolve("none"), state.resolve("Victoria")), json, Clock.systemUTC()).read();

        assertThat(report.nodeId()).isNull();
        assertThat(report.tasks()).isEmpty();
        assertThat(StatusText.format(report, Instant.now())).contains("not registered", "never recorded", "Tasks in flight:  0");
    }

    @Test
    void theStatusFileIsPrivateAndWrittenOnlyWhenTheContactMoved() throws Exception {
        StatusFile file = new StatusFile(layout().statusFile(), json);
        Path written = state.resolve("status.json");
        file.record(Optional.of(NOW), Optional.empty(), Optional.empty());
        FileTime untouched = FileTime.from(NOW.minusSeconds(3600));
        Files.setLastModifiedTime(written, untouched);

        file.record(Optional.of(NOW), Optional.empty(), Optional.empty());
        assertThat(Files.getLastModifiedTime(written)).isEqualTo(untouched);

        file.record(Optional.of(NOW.plusSeconds(1)), Optional.empty(), Optional.empty());
        assertThat(file.read()).map(StatusFile.Content::lastContact).hasValue(NOW.plusSeconds(1));
        assertThat(Files.getPosixFilePermissions(written)).isEqualTo(StateFiles.OWNER_ONLY_FILE);
    }
}
