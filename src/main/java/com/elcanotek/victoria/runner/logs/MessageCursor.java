package com.elcanotek.victoria.runner.logs;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import com.elcanotek.victoria.runner.orchestrator.SessionMessage;

/**
 * A session's messages from the newest back, one row at a time: the order is walked over row ids only, and each
 * message is fetched when asked for, its content cut inside SQLite, so that no more of a session reaches the heap
 * than the fitter keeps. Built by {@link CrushSessionQuery}, which owns the SQL.
 */
final class MessageCursor implements LogFitter.NewestFirst<SQLException>, AutoCloseable {

    private final PreparedStatement order;
    private final PreparedStatement byRowId;
    private final ResultSet newestFirst;

    /**
     * @param order   the session's row ids, newest first
     * @param byRowId one message by (1) the characters of content to keep at most and (2) its row id
     */
    MessageCursor(PreparedStatement order, PreparedStatement byRowId) throws SQLException {
        this.order = order;
        this.byRowId = byRowId;
        this.newestFirst = order.executeQuery();
    }

    @Override
    public Optional<SessionMessage> next(int maxChars) throws SQLException {
        if (!newestFirst.next()) {
            return Optional.empty();
        }
        // substr(x, -0) would be all of x; one character does not fit in no room either.
        byRowId.setInt(1, Math.max(1, maxChars));
        byRowId.setLong(2, newestFirst.getLong(1));
        try (ResultSet row = byRowId.executeQuery()) {
            if (!row.next()) {
                // Cannot happen inside the read transaction the cursor lives in.
                throw new SQLException("message " + newestFirst.getLong(1) + " vanished while being read");
            }
            String parts = row.getString("parts");
            return Optional.of(new SessionMessage(
                    row.getString("id"),
                    row.getString("role"),
                    // The wire format wants a string; Crush's own default for parts is '[]'.
                    parts == null ? "[]" : parts,
                    row.getString("model"),
                    row.getString("provider"),
                    nullableLong(row, "created_s"),
                    nullableLong(row, "finished_s")));
        }
    }

    @Override
    public void close() throws SQLException {
        // Both are closed even when closing the first fails; each closes its results.
        try (order; byRowId) {
        }
    }

    private static Long nullableLong(ResultSet row, String label) throws SQLException {
        long value = row.getLong(label);
        return row.wasNull() ? null : value;
    }
}
