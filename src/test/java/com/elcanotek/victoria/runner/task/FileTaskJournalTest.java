package com.elcanotek.victoria.runner.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.LogCapture;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

class FileTaskJournalTest {

    private static final String TORN = "0badbad0-0000-4000-8000-000000000001";
    private static final String WHOLE = "600d600d-0000-4000-8000-000000000002";

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @TempDir
    Path dir;

    @Test
    void anEntryThatCannotBeReadIsSetAsideOnceSaidOnceAndItsTaskStaysKnown() throws Exception {
        FileTaskJournal journal = new FileTaskJournal(dir, json);
        journal.write(JournalEntry.claimed(new TaskAssignment(WHOLE, "p", "", null, List.of(), null), Instant.now()));
        Files.writeString(dir.resolve(TORN + ".json"), "{\"task\": {\"task_id\": \"" + TORN, StandardCharsets.UTF_8);

        assertThat(journal.all()).extracting(e -> e.task().taskId()).containsExactly(WHOLE);
        assertThat(dir.resolve(TORN + ".json")).as("an operator's command moves nothing").exists();

        try (LogCapture log = LogCapture.start()) {
            for (int reconcile = 0; reconcile < 3; reconcile++) {
                assertThat(journal.setAsideUnreadable()).containsExactly(TORN);
            }
            assertThat(log.lines()).filteredOn(line -> line.contains(TORN)).hasSize(1);
        }
        assertThat(dir.resolve(TORN + ".json")).doesNotExist();
        assertThat(dir.resolve(TORN + ".json.unreadable")).exists();
        assertThat(journal.all()).extracting(e -> e.task().taskId()).containsExactly(WHOLE);
    }
}
