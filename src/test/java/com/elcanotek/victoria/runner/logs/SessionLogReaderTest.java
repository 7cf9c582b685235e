package com.elcanotek.victoria.runner.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import com.elcanotek.victoria.runner.orchestrator.LogSubmission;
import com.elcanotek.victoria.runner.orchestrator.SessionLog;
import com.elcanotek.victoria.runner.orchestrator.SessionMessage;
import com.fasterxml.jackson.databind.ObjectMapper;

class SessionLogReaderTest {

    private static final int KIB = 1024;
    private static final String TASK = "7d9c0b5e-1f1a-4a8e-9a55-0c4c6a3e2b10";

    @TempDir
    Path home;

    private final LogFitter fitter = new LogFitter(new ObjectMapper());
    private SessionLogReader reader;
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
        reader = new SessionLogReader(fitter, home);
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

        SessionLog session = read(reader).orElseThrow();

        assertThat(session).isEqualTo(new SessionLog("main", "title of main", 100, 20, 0.25,
                1_700_000_200L, 1_700_000_300L, List.of(new SessionMessage("m1", "user",
                        "[{\"type\":\"text\",\"text\":\"hi\"}]", "claude", "anthropic",
                        1_700_000_200L, 1_700_000_201L))));
        assertThat(warnings).isEmpty();
    }

    /**
     * The agent wrote its Crush folder and could make the database, a companion of it, or the folder itself a link to
     * another task's session (a relative link resolves on the host): that session must never be sent as this task's.
     */
    @Test
    void aDatabaseItsCompanionOrItsFolderThatIsALinkIsNotReadAndTheReaderSaysWhy() throws Exception {
        Path other = home.resolve("tasks/0ther000");
        CrushDbFixture.create(other, Schema.CURRENT).session("other task's", null, 1_700_000_000L, 1_700_000_100L);
        Path crush = Files.createDirectories(home.resolve(".crush"));

        Path db = Files.createSymbolicLink(crush.resolve("crush.db"), Path.of("../tasks/0ther000/.crush/crush.db"));
        assertThat(read(reader)).isEmpty();
        Files.delete(db);

        CrushDbFixture.create(home, Schema.CURRENT).session("own", null, 1_700_000_000L, 1_700_000_100L);
        Path wal = Files.createSymbolicLink(crush.resolve("crush.db-wal"), Path.of("../tasks/0ther000/.crush/crush.db"));
        assertThat(read(reader)).isEmpty();
        Files.delete(wal);
        assertThat(read(reader).orElseThrow().id()).isEqualTo("own");

        Files.move(crush, home.resolve("own-crush"));
        Files.createSymbolicLink(crush, Path.of("tasks/0ther000/.crush"));
        assertThat(read(reader)).isEmpty();

        assertThat(warnings).hasSize(3).allSatisfy(record -> assertThat(record.getMessage()).contains("symbolic link"));
    }

    @Test
    void breaksUpdatedAtTiesByCreatedAtThenInsertionOrder() throws Exception {
        CrushDbFixture fixture = CrushDbFixture.create(home, Schema.CURRENT)
                .session("created-later", null, 1_700_000_050L, 1_700_000_100L)
                .session("created-earlier", null, 1_700_000_000L, 1_700_000_100L);
        assertThat(read(reader).orElseThrow().id()).isEqualTo("created-later");

        fixture.session("same-created-inserted-last", null, 1_700_000_050L, 1_700_000_100L);
        assertThat(read(reader).orElseThrow().id()).isEqualTo("same-created-inserted-last");
    }

    @Test
    void ordersMessagesByCreationTimeThenInsertionOrder() throws Exception {
        CrushDbFixture.create(home, Schema.CURRENT)
                .session("s", null, 1_700_000_000L, 1_700_000_100L)
                .message("a", "s", "assistant", "third", 1_700_000_030L)
                .message("z", "s", "user", "first", 1_700_000_010L)
                .message("y", "s", "assistant", "second, same second as first", 1_700_000_010L);

        assertThat(read(reader).orElseThrow().messages())
                .extracting(SessionMessage::id)
                .containsExactly("z", "y", "a");
    }

    @Test
    void isEmptyWithoutCrushDirectory() {
        assertThat(read(reader)).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void isEmptyWithoutDatabaseAndDoesNotCreateOne() throws Exception {
        Files.createDirectories(home.resolve(".crush"));

        assertThat(read(reader)).isEmpty();
        assertThat(home.resolve(".crush")).isEmptyDirectory();
        assertThat(warnings).isEmpty();
    }

    @Test
    void isEmptyWhileCrushHasNotCreatedItsSchemaOrAnySession() throws Exception {
        Path db = Files.createDirectories(home.resolve(".crush")).resolve("crush.db");
        Files.createFile(db);
        assertThat(read(reader)).isEmpty();

        Files.delete(db);
        CrushDbFixture.create(home, Schema.CURRENT);
        assertThat(read(reader)).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void readsAnOldSchemaWithoutOptionalColumns() throws Exception {
        CrushDbFixture.create(home, Schema.OLD)
                .session("s", null, 1_700_000_000L, 1_700_000_100L)
                .message("m", "s", "user", "[]", 1_700_000_010L);

        assertThat(read(reader)).contains(new SessionLog("s", "title of s", 100, 20, 0.0,
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

        assertThat(read(reader)).isEmpty();
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

        SessionLog session = read(reader).orElseThrow();

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

        assertThat(read(reader)).isEmpty();
        assertThat(warnings).singleElement().satisfies(record -> assertThat(record.getMessage())
                .contains(db.toString()));
        assertThat(Files.readAllBytes(db)).isEqualTo(noise);
    }

    @Test
    void givesUpOnADatabaseLockedByAWriter() throws Exception {
        CrushDbFixture fixture = CrushDbFixture.create(home, Schema.CURRENT)
                .session("s", null, 1_700_000_000L, 1_700_000_100L);
        SessionLogReader impatient = new SessionLogReader(fitter, home, Duration.ofMillis(200));

        try (Connection writer = fixture.connect(); Statement statement = writer.createStatement()) {
            statement.execute("BEGIN EXCLUSIVE");
            statement.execute("UPDATE sessions SET title = 'being written'");

            assertThat(read(impatient)).isEmpty();
            statement.execute("ROLLBACK");
        }
        assertThat(warnings).singleElement().satisfies(record -> assertThat(record.getMessage())
                .contains(fixture.file().toString()));
        assertThat(read(impatient)).isPresent();
    }

    @Test
    void readsTheLastCommittedStateOfAWalDatabaseBeingWritten() throws Exception {
        CrushDbFixture fixture = CrushDbFixture.create(home, Schema.CURRENT)
                .session("s", null, 1_700_000_000L, 1_700_000_100L);

        try (Connection writer = fixture.connect(); Statement statement = writer.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("BEGIN EXCLUSIVE");
            statement.execute("UPDATE sessions SET title = 'being written'");

            assertThat(read(reader).orElseThrow().title()).isEqualTo("title of s");
            statement.execute("COMMIT");
        }
        assertThat(read(reader).orElseThrow().title()).isEqualTo("being written");
        assertThat(warnings).isEmpty();
    }

    @Test
    void readsOnlyTheNewestMessagesThatFitOfALongSessionWithAHugeOlderMessage() throws Exception {
        List<SessionMessage> all = longSessionWithAHugeMessage(false);

        assertReadWithinBudgetMatchesFittingTheWholeSession(all, 64 * KIB);
    }

    @Test
    void readsOnlyTheTailOfAHugeNewestMessage() throws Exception {
        List<SessionMessage> all = longSessionWithAHugeMessage(true);

        LogSubmission read = assertReadWithinBudgetMatchesFittingTheWholeSession(all, 64 * KIB);
        assertThat(read.session().messages()).singleElement().satisfies(kept -> assertThat(kept.content())
                .startsWith(LogFitter.TRUNCATED_MARK).endsWith("the end\"}]"));
    }

    /**
     * Twenty thousand messages of 1 KB and one of 50 MB, newest or followed by ten more small ones; returns all of
     * them as the agent wrote them, oldest first.
     */
    private List<SessionMessage> longSessionWithAHugeMessage(boolean hugeIsNewest) throws Exception {
        String small = "[{\"type\":\"text\",\"text\":\"" + "s".repeat(1000) + "\"}]";
        String huge = "[{\"type\":\"text\",\"text\":\"" + "h".repeat(50 * 1024 * KIB) + " the end\"}]";
        long start = 1_700_000_000L;
        int older = 20_000;
        int newer = hugeIsNewest ? 0 : 10;
        CrushDbFixture.create(home, Schema.CURRENT)
                .session("s", null, start, start + older + newer + 1)
                .messages("old", "s", older, small, start)
                .message("huge", "s", "assistant", huge, start + older)
                .messages("new", "s", newer, small, start + older + 1);
        List<SessionMessage> all = new ArrayList<>();
        for (int i = 0; i < older; i++) {
            all.add(written("old" + i, i % 2 == 0 ? "user" : "assistant", small, start + i));
        }
        all.add(written("huge", "assistant", huge, start + older));
        for (int i = 0; i < newer; i++) {
            all.add(written("new" + i, i % 2 == 0 ? "user" : "assistant", small, start + older + 1 + i));
        }
        return all;
    }

    private static SessionMessage written(String id, String role, String parts, long createdAt) {
        return new SessionMessage(id, role, parts, "claude", "anthropic", createdAt, createdAt + 1);
    }

    /**
     * What the reader returns is what fitting the whole session would give, and what it allocated on the way (measured
     * by the JVM for this thread: whatever it fetched from SQLite became Java objects) is a small multiple of the
     * budget, not of the session.
     */
    private LogSubmission assertReadWithinBudgetMatchesFittingTheWholeSession(List<SessionMessage> all, int budget) {
        LogSubmission expected = fitter.fit(new LogSubmission(TASK, new SessionLog("s", "title of s", 100, 20, 0.25,
                1_700_000_000L, all.get(all.size() - 1).createdAt() + 1, all)), budget);
        long before = allocatedBytes();

        LogSubmission read = reader.latest(home.resolve(".crush"), TASK, budget).orElseThrow();

        long allocated = allocatedBytes() - before;
        assertThat(read).isEqualTo(expected);
        assertThat(allocated).as("bytes allocated reading a %d-byte body", budget).isLessThan(128L * budget);
        return read;
    }

    /** The whole session, as a budget no session reaches leaves it. */
    private Optional<SessionLog> read(SessionLogReader reader) {
        return reader.latest(home.resolve(".crush"), TASK, Integer.MAX_VALUE).map(submission -> {
            assertThat(submission.taskId()).isEqualTo(TASK);
            return submission.session();
        });
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
