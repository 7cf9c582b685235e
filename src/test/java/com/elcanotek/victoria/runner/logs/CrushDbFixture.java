package com.elcanotek.victoria.runner.logs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.sqlite.JDBC;

/**
 * A real Crush database under a Victoria home, written the way the agent would write it: where the runner reads it
 * ({@link #create}), or for the test image's agent to take as its session ({@link #forAgent}).
 */
public final class CrushDbFixture {

    public enum Schema {
        /** Today's Crush. */
        CURRENT(
                """
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY,
                    parent_session_id TEXT,
                    title TEXT NOT NULL,
                    message_count INTEGER NOT NULL DEFAULT 0,
                    prompt_tokens INTEGER NOT NULL DEFAULT 0,
                    completion_tokens INTEGER NOT NULL DEFAULT 0,
                    cost REAL NOT NULL DEFAULT 0.0,
                    updated_at INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    summary_message_id TEXT)""",
                """
                CREATE TABLE messages (
                    id TEXT PRIMARY KEY,
                    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    parts TEXT NOT NULL DEFAULT '[]',
                    model TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    provider TEXT,
                    is_summary_message INTEGER DEFAULT 0 NOT NULL)""",
                "INSERT INTO sessions (id, parent_session_id, title, prompt_tokens, completion_tokens, cost,"
                        + " created_at, updated_at) VALUES (?, ?, ?, 100, 20, 0.25, ?, ?)",
                "INSERT INTO messages (id, session_id, role, parts, model, provider, created_at, updated_at,"
                        + " finished_at) VALUES (?, ?, ?, ?, 'claude', 'anthropic', ?, ?, ? + 1)"),
        /** An early Crush: no cost, no provider, no finished_at, upper-case column spelling. */
        OLD(
                """
                CREATE TABLE sessions (
                    ID TEXT PRIMARY KEY,
                    PARENT_SESSION_ID TEXT,
                    TITLE TEXT NOT NULL,
                    MESSAGE_COUNT INTEGER NOT NULL DEFAULT 0,
                    PROMPT_TOKENS INTEGER NOT NULL DEFAULT 0,
                    COMPLETION_TOKENS INTEGER NOT NULL DEFAULT 0,
                    UPDATED_AT INTEGER NOT NULL,
                    CREATED_AT INTEGER NOT NULL)""",
                """
                CREATE TABLE messages (
                    id TEXT PRIMARY KEY,
                    session_id TEXT NOT NULL,
                    role TEXT NOT NULL,
                    parts TEXT NOT NULL DEFAULT '[]',
                    model TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL)""",
                "INSERT INTO sessions (id, parent_session_id, title, prompt_tokens, completion_tokens,"
                        + " created_at, updated_at) VALUES (?, ?, ?, 100, 20, ?, ?)",
                "INSERT INTO messages (id, session_id, role, parts, model, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, 'claude', ?, ?)");

        private final String createSessions;
        private final String createMessages;
        private final String insertSession;
        private final String insertMessage;

        Schema(String createSessions, String createMessages, String insertSession, String insertMessage) {
            this.createSessions = createSessions;
            this.createMessages = createMessages;
            this.insertSession = insertSession;
            this.insertMessage = insertMessage;
        }
    }

    private final Path file;
    private final Schema schema;
    /** The agent's directive naming this database, relative to the home; null when made by {@link #create}. */
    private final String sessionFrom;

    private CrushDbFixture(Path file, Schema schema, String sessionFrom) {
        this.file = file;
        this.schema = schema;
        this.sessionFrom = sessionFrom;
    }

    /** {@code <home>/.crush/crush.db}, for the reader on its own. */
    public static CrushDbFixture create(Path victoriaHome, Schema schema) throws Exception {
        return new CrushDbFixture(createSchema(victoriaHome.resolve(".crush/crush.db"), schema), schema, null);
    }

    /**
     * {@code <home>/fixtures/<name>.db}, which the test image's agent copies to its {@code .crush/crush.db} when the
     * task's prompt holds {@link #sessionFrom()}: the runner gives every task a {@code .crush} folder of its own, so a
     * database written into the home's is never read.
     */
    public static CrushDbFixture forAgent(Path victoriaHome, String name, Schema schema) throws Exception {
        String relative = "fixtures/" + name + ".db";
        return new CrushDbFixture(createSchema(victoriaHome.resolve(relative), schema), schema, "session-from=" + relative);
    }

    public Path file() {
        return file;
    }

    /** The prompt directive that makes the test image's agent take this database as its session. */
    public String sessionFrom() {
        if (sessionFrom == null) {
            throw new IllegalStateException(file + " is the reader's own database: make it with forAgent");
        }
        return sessionFrom;
    }

    /** A read-write connection, as the agent holds one. */
    Connection connect() throws SQLException {
        return connect(file);
    }

    public CrushDbFixture session(String id, String parentId, long createdAt, long updatedAt) throws SQLException {
        update(schema.insertSession, id, parentId, "title of " + id, createdAt, updatedAt);
        return this;
    }

    /** A message; with the current schema it finished one second after it was created. */
    public CrushDbFixture message(String id, String sessionId, String role, String parts, long createdAt)
            throws SQLException {
        update(schema.insertMessage, messageValues(id, sessionId, role, parts, createdAt));
        return this;
    }

    /**
     * {@code count} messages {@code <prefix>0..} with the given parts, one second apart from {@code createdAt}, in one
     * transaction: a long session without a commit per message.
     */
    public CrushDbFixture messages(String prefix, String sessionId, int count, String parts, long createdAt)
            throws SQLException {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(schema.insertMessage)) {
            connection.setAutoCommit(false);
            for (int i = 0; i < count; i++) {
                bind(statement, messageValues(prefix + i, sessionId, i % 2 == 0 ? "user" : "assistant", parts,
                        createdAt + i));
                statement.addBatch();
            }
            statement.executeBatch();
            connection.commit();
        }
        return this;
    }

    private Object[] messageValues(String id, String sessionId, String role, String parts, long createdAt) {
        return schema == Schema.CURRENT
                ? new Object[] {id, sessionId, role, parts, createdAt, createdAt, createdAt}
                : new Object[] {id, sessionId, role, parts, createdAt, createdAt};
    }

    private void update(String sql, Object... values) throws SQLException {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, values);
            statement.executeUpdate();
        }
    }

    private static void bind(PreparedStatement statement, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i]);
        }
    }

    private static Path createSchema(Path file, Schema schema) throws Exception {
        Files.createDirectories(file.getParent());
        try (Connection connection = connect(file); Statement statement = connection.createStatement()) {
            statement.execute(schema.createSessions);
            statement.execute(schema.createMessages);
        }
        return file;
    }

    /**
     * Without DriverManager, as the runner opens them: DriverManager hands a driver only to the class loader that
     * registered it, and a {@code @QuarkusTest} loads the tests' classes with another loader than a plain test.
     */
    private static Connection connect(Path file) throws SQLException {
        return new JDBC().connect("jdbc:sqlite:" + file, new Properties());
    }
}
