package com.elcanotek.victoria.runner.logs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.elcanotek.victoria.runner.orchestrator.SessionLog;

/**
 * Every SQL statement run against Crush's database. Crush's schema grew over its versions, so the
 * statements are built from the columns the database really has: only names from this class's own
 * constants ever reach the SQL text, a missing optional column becomes a literal, and user values
 * are always bound parameters.
 */
final class CrushSessionQuery {

    /**
     * Crush writes unix seconds, but some versions wrote milliseconds, and one Victoria home keeps
     * the database across Crush upgrades. 10^11 s is the year 5138 while 10^11 ms is 1973, so the
     * two cannot be confused; normalising inside SQL also makes ORDER BY compare like with like.
     */
    private static final String SECONDS = "(CASE WHEN %1$s > 100000000000 THEN %1$s / 1000 ELSE %1$s END)";

    private static final String TABLE_COLUMNS = "SELECT name FROM pragma_table_info(?)";

    private static final String NEWEST_TOP_LEVEL_SESSION = """
            SELECT id, %s AS title, %s AS prompt_tokens, %s AS completion_tokens, %s AS cost,
                   %s AS created_s, %s AS updated_s
            FROM sessions
            WHERE %s IS NULL
            ORDER BY updated_s DESC, created_s DESC, rowid DESC
            LIMIT 1""";

    /** Row ids only: sorting the messages themselves would copy the whole session through SQLite's sorter. */
    private static final String MESSAGES_NEWEST_FIRST = """
            SELECT rowid FROM messages
            WHERE session_id = ?
            ORDER BY %s DESC, rowid DESC""";

    /** The content is cut inside SQLite: a message of many megabytes never reaches the heap whole. */
    private static final String MESSAGE_BY_ROWID = """
            SELECT id, role, substr(parts, -?) AS parts, %s AS model, %s AS provider, %s AS created_s, %s AS finished_s
            FROM messages
            WHERE rowid = ?""";

    private final Connection connection;

    CrushSessionQuery(Connection connection) {
        this.connection = connection;
    }

    /**
     * The newest top-level session, without its messages; empty when Crush has not created its schema or any
     * session yet.
     *
     * @throws SQLException also when the table lacks a column this reader cannot do without
     */
    Optional<SessionLog> newestTopLevelSession() throws SQLException {
        Set<String> sessionColumns = columnsOf("sessions");
        if (sessionColumns.isEmpty()) {
            return Optional.empty();
        }
        requireColumns("sessions", sessionColumns, "id", "created_at", "updated_at");
        return newestSession(sessionColumns);
    }

    /**
     * The session's messages from the newest back (by creation time, then insertion order), read as they are asked
     * for; to be closed before the connection's read transaction ends.
     *
     * @throws SQLException also when the table lacks a column this reader cannot do without
     */
    MessageCursor messagesNewestFirst(String sessionId) throws SQLException {
        Set<String> columns = columnsOf("messages");
        requireColumns("messages", columns, "id", "session_id", "role", "parts", "created_at");
        PreparedStatement order = connection.prepareStatement(MESSAGES_NEWEST_FIRST.formatted(SECONDS.formatted("created_at")));
        order.setString(1, sessionId);
        PreparedStatement byRowId = connection.prepareStatement(MESSAGE_BY_ROWID.formatted(
                column(columns, "model", "NULL"),
                column(columns, "provider", "NULL"),
                SECONDS.formatted("created_at"),
                columns.contains("finished_at") ? SECONDS.formatted("finished_at") : "NULL"));
        return new MessageCursor(order, byRowId);
    }

    private Optional<SessionLog> newestSession(Set<String> columns) throws SQLException {
        String sql = NEWEST_TOP_LEVEL_SESSION.formatted(
                column(columns, "title", "NULL"),
                column(columns, "prompt_tokens", "0"),
                column(columns, "completion_tokens", "0"),
                column(columns, "cost", "0.0"),
                SECONDS.formatted("created_at"),
                SECONDS.formatted("updated_at"),
                // Without the column every session is top-level: there is nothing else to choose by.
                column(columns, "parent_session_id", "NULL"));
        try (PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet row = statement.executeQuery()) {
            if (!row.next()) {
                return Optional.empty();
            }
            return Optional.of(new SessionLog(
                    row.getString("id"),
                    row.getString("title"),
                    row.getLong("prompt_tokens"),
                    row.getLong("completion_tokens"),
                    row.getDouble("cost"),
                    row.getLong("created_s"),
                    row.getLong("updated_s"),
                    List.of()));
        }
    }

    private Set<String> columnsOf(String table) throws SQLException {
        Set<String> names = new HashSet<>();
        try (PreparedStatement statement = connection.prepareStatement(TABLE_COLUMNS)) {
            statement.setString(1, table);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    // SQLite identifiers are case-insensitive; the declared spelling may vary.
                    names.add(row.getString(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    private static void requireColumns(String table, Set<String> present, String... required) throws SQLException {
        if (present.isEmpty()) {
            throw new SQLException("table " + table + " is missing");
        }
        for (String name : required) {
            if (!present.contains(name)) {
                throw new SQLException("table " + table + " has no column " + name);
            }
        }
    }

    private static String column(Set<String> present, String name, String fallbackLiteral) {
        return present.contains(name) ? name : fallbackLiteral;
    }
}
