package com.elcanotek.victoria.runner.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.logs.CrushDbFixture.Schema;
import com.elcanotek.victoria.runner.orchestrator.SessionLog;
import com.elcanotek.victoria.runner.orchestrator.SessionMessage;

class SessionLogReaderTest {

    @TempDir
    Path home;

    private final SessionLogReader reader = new SessionLogReader();
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler warningCollector = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void collectWarnings() {
        Logger.getLogger(SessionLogReader.class.getName()).addHandler(warningCollector);
    }

    @AfterEach
    void stopCollectingWarnings() {
        Logger.getLogger(SessionLogReader.class.getName()).removeHandler(warningCollector);
    }

    @Test
    void choosesTheNewestTopLevelSessionOverANewerChildAndOlderTopLevelOnes() throws Exception {
        CrushDbFixture.create(home, Schema.CURRENT)
                .session("old", null, 1_700_000_000L, 1_700_000_100L)
                .session("main", null, 1_700_000_200L, 1_700_000_300L)
                .session("child", "main", 1_700_000_250L, 1_700_000_900L)
                .message("m1", "main", "user", "[{\"type\":\"text\",\"text\":\"hi\"}]", 1_700_000_200L)
                .message("c1", "child", "user", "[]", 1_700_000_250L)
                .message("o1", "old", "user", "[]", 1_700_000_000L);

        SessionLog session = reader.latest(home).orElseThrow();

        assertThat(session).isEqualTo(new SessionLog("main", "title of main", 100, 20, 0.25,
                1_700_000_200L, 1_700_000_300L, List.of(new SessionMessage("m1", "user",
                        "[{\"type\":\"text\",\"text\":\"hi\"}]", "claude", "anthropic",
                        1_700_000_200L, 1_700_000_201L))));
        assertThat(warnings).isEmpty();
    }

    @Test
    void breaksUpdatedAtTiesByCreatedAtThenInsertionOrder() throws Exception {
        CrushDbFixture fixture = CrushDbFixture.create(home, Schema.CURRENT)
                .session("created-later", null, 1_700_000_050L, 1_700_000_100L)
                .session("created-earlier", null, 1_700_000_000L, 1_700_000_100L);
        assertThat(reader.latest(home).orElseThrow().id()).isEqualTo("created-later");

        fixture.session("same-created-inserted-last", null, 1_700_000_050L, 1_700_000_100L);
        assertThat(reader.latest(home).orElseThrow().id()).isEqualTo("same-created-inserted-last");
    }

    @Test
    void ordersMessagesByCreationTimeThenInsertionOrder() throws Exception {
        CrushDbFixture.create(home, Schema.CURRENT)
                .session("s", null, 1_700_000_000L, 1_700_000_100L)
                .message("a", "s", "assistant", "third", 1_700_000_030L)
                .message("z", "s", "user", "first", 1_700_000_010L)
                .message("y", "s", "assistant", "second, same second as first", 1_700_000_010L);

        assertThat(reader.latest(home).orElseThrow().messages())
                .extracting(SessionMessage::id)
                .containsExactly("z", "y", "a");
    }

    @Test
    void isEmptyWithoutCrushDirectory() {
        assertThat(reader.latest(home)).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void isEmptyWithoutDatabaseAndDoesNotCreateOne() throws Exception {
        Files.createDirectories(home.resolve(".crush"));

        assertThat(reader.latest(home)).isEmpty();
        assertThat(home.resolve(".crush")).isEmptyDirectory();
        assertThat(warnings).isEmpty();
    }

    @Test
    void isEmptyWhileCrushHasNotCreatedItsSchemaOrAnySession() throws Exception {
        Path db = Files.createDirectories(home.resolve(".crush")).resolve("crush.db");
        Files.createFile(db);
        assertThat(reader.latest(home)).isEmpty();

        Files.delete(db);
        CrushDbFixture.create(home, Schema.CURRENT);
        assertThat(reader.latest(home)).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void readsAnOldSchemaWithoutOptionalColumns() throws Exception {
        CrushDbFixture.create(home, Schema.OLD)
                .session("s", null, 1_700_000_000L, 1_700_000_100L)
                .message("m", "s", "user", "[]", 1_700_000_010L);

        assertThat(reader.latest(home)).contains(new SessionLog("s", "title of s", 100, 20, 0.0,
                1_700_000_000L, 1_700_000_100L,
                List.of(new SessionMessage("m", "user", "[]", "claude", null, 1_700_000_010L, null))));
    }

    @Test
    void warnsAndIsEmptyWhenARequiredColumnIsMissing() throws Exception {
        Path db = Files.createDirectories(home.resolve(".crush")).resolve("crush.db");
        try (Connection connection = CrushDbFixture.create(home, Schema.CURRENT).connect();
                Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO sessions (id, title, created_at, updated_at) VALUES ('s', 't', 1, 2)");
            statement.execute("ALTER TABLE messages DROP COLUMN parts");
        }

        assertThat(reader.latest(home)).isEmpty();
        assertThat(warnings).singleElement().satisfies(record -> assertThat(record.getMessage())
                .contains(db.toString()).contains("parts"));
    }

    @Test
    void normalisesMillisecondTimestampsAndOrdersByTheNormalisedValue() throws Exception {
        CrushDbFixture.create(home, Schema.CURRENT)
                .session("ms-older", null, 1_600_000_000_000L, 1_600_000_100_000L)
                .session("ms", null, 1_700_000_000_000L, 1_700_000_100_123L)
                .session("s-older", null, 1_690_000_000L, 1_690_000_000L)
                .message("late", "ms", "assistant", "[]", 1_700_000_060L)
                .message("early", "ms", "user", "[]", 1_700_000_050_999L);

        SessionLog session = reader.latest(home).orElseThrow();

        assertThat(session.id()).isEqualTo("ms");
        assertThat(session.createdAt()).isEqualTo(1_700_000_000L);
        assertThat(session.updatedAt()).isEqualTo(1_700_000_100L);
        assertThat(session.messages()).extracting(SessionMessage::id, SessionMessage::createdAt,
                SessionMessage::finishedAt).containsExactly(
                        tuple("early", 1_700_000_050L, 1_700_000_051L),
                        tuple("late", 1_700_000_060L, 1_700_000_061L));
    }

    @Test
    void warnsAndIsEmptyWhenTheFileIsNotADatabase() throws Exception {
        Path db = Files.createDirectories(home.resolve(".crush")).resolve("crush.db");
        byte[] noise = new byte[8192];
        new Random(42).nextBytes(noise);
        Files.write(db, noise);

        assertThat(reader.latest(home)).isEmpty();
        assertThat(warnings).singleElement().satisfies(record -> assertThat(record.getMessage())
                .contains(db.toString()));
        assertThat(Files.readAllBytes(db)).isEqualTo(noise);
    }

    @Test
    void givesUpOnADatabaseLockedByAWriter() throws Exception {
        CrushDbFixture fixture = CrushDbFixture.create(home, Schema.CURRENT)
                .session("s", null, 1_700_000_000L, 1_700_000_100L);
        SessionLogReader impatient = new SessionLogReader(Duration.ofMillis(200));

        try (Connection writer = fixture.connect(); Statement statement = writer.createStatement()) {
            statement.execute("BEGIN EXCLUSIVE");
            statement.execute("UPDATE sessions SET title = 'being written'");

            assertThat(impatient.latest(home)).isEmpty();
            statement.execute("ROLLBACK");
        }
        assertThat(warnings).singleElement().satisfies(record -> assertThat(record.getMessage())
                .contains(fixture.file().toString()));
        assertThat(impatient.latest(home)).isPresent();
    }

    @Test
    void readsTheLastCommittedStateOfAWalDatabaseBeingWritten() throws Exception {
        CrushDbFixture fixture = CrushDbFixture.create(home, Schema.CURRENT)
                .session("s", null, 1_700_000_000L, 1_700_000_100L);

        try (Connection writer = fixture.connect(); Statement statement = writer.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("BEGIN EXCLUSIVE");
            statement.execute("UPDATE sessions SET title = 'being written'");

            assertThat(reader.latest(home).orElseThrow().title()).isEqualTo("title of s");
            statement.execute("COMMIT");
        }
        assertThat(reader.latest(home).orElseThrow().title()).isEqualTo("being written");
        assertThat(warnings).isEmpty();
    }
}
