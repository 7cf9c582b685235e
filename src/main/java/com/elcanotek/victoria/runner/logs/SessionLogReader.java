package com.elcanotek.victoria.runner.logs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

import org.jboss.logging.Logger;
import org.sqlite.SQLiteConfig;

import com.elcanotek.victoria.runner.orchestrator.LogSubmission;
import com.elcanotek.victoria.runner.orchestrator.SessionLog;

/**
 * Reads the session a task's Victoria agent left in {@code crush.db} of its Crush folder as a {@code /logs} body, only as
 * much of it as the body can hold: an agent's session can be far larger than the runner's memory should grow. The
 * logs are a courtesy to the operator, so a database that is absent, busy or damaged yields nothing rather than an
 * exception that could stand in the way of reporting the task's status.
 */
public final class SessionLogReader {

    /** Long enough to outwait one of Crush's write transactions, short enough not to hold up the task's end. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(3);

    private static final Logger LOG = Logger.getLogger(SessionLogReader.class);

    private final LogFitter fitter;
    private final Duration busyTimeout;

    public SessionLogReader(LogFitter fitter) {
        this(fitter, DEFAULT_BUSY_TIMEOUT);
    }

    public SessionLogReader(LogFitter fitter, Duration busyTimeout) {
        this.fitter = fitter;
        this.busyTimeout = busyTimeout;
    }

    /**
     * The newest top-level session in {@code crushDir} (the agent's {@code .crush} folder, one per task) as the
     * log of task {@code taskId}, fitted into {@code maxBytes} by {@link LogFitter}; empty when there is none to read.
     */
    public Optional<LogSubmission> latest(Path crushDir, String taskId, int maxBytes) {
        Path database = crushDir.resolve("crush.db");
        if (!Files.isRegularFile(database)) {
            LOG.debugf("No Crush database at %s", database);
            return Optional.empty();
        }
        try (Connection connection = open(database)) {
            // One read transaction, so the messages belong to the session as it was when it was chosen.
            connection.setAutoCommit(false);
            CrushSessionQuery query = new CrushSessionQuery(connection);
            Optional<SessionLog> session = query.newestTopLevelSession();
            if (session.isEmpty()) {
                LOG.debugf("No top-level session in %s", database);
                return Optional.empty();
            }
            try (MessageCursor messages = query.messagesNewestFirst(session.get().id())) {
                return Optional.of(fitter.fit(new LogSubmission(taskId, session.get()), messages, maxBytes));
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Cannot read the agent's session from %s: %s", database, e.getMessage());
            return Optional.empty();
        }
    }

    private Connection open(Path database) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        // Also drops the CREATE and READWRITE open flags: the agent's database is never created or altered here.
        config.setReadOnly(true);
        config.setBusyTimeout(Math.toIntExact(busyTimeout.toMillis()));
        return config.createConnection("jdbc:sqlite:" + database.toAbsolutePath());
    }
}
