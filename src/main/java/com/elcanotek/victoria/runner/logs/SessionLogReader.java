package com.elcanotek.victoria.runner.logs;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;
import org.sqlite.SQLiteConfig;

import com.elcanotek.victoria.runner.orchestrator.LogSubmission;
import com.elcanotek.victoria.runner.orchestrator.SessionLog;
import com.elcanotek.victoria.runner.state.ConfinedFolder;

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
    private static final String DATABASE = "crush.db";

    /** SQLite's own files beside a database, which it reads with it. */
    private static final List<String> COMPANIONS = List.of("-wal", "-shm", "-journal");

    private final LogFitter fitter;
    private final Path root;
    private final Duration busyTimeout;

    /** @param root the folder the agents write into (the Victoria home): no link under it is followed */
    public SessionLogReader(LogFitter fitter, Path root) {
        this(fitter, root, DEFAULT_BUSY_TIMEOUT);
    }

    public SessionLogReader(LogFitter fitter, Path root, Duration busyTimeout) {
        this.fitter = fitter;
        this.root = root;
        this.busyTimeout = busyTimeout;
    }

    /**
     * The newest top-level session in {@code crushDir} (the agent's {@code .crush} folder, one per task) as the
     * log of task {@code taskId}, fitted into {@code maxBytes} by {@link LogFitter}; empty when there is none to read.
     */
    public Optional<LogSubmission> latest(Path crushDir, String taskId, int maxBytes) {
        Path database = crushDir.resolve(DATABASE);
        try {
            if (!isPlainDatabase(crushDir)) {
                LOG.debugf("No Crush database at %s", database);
                return Optional.empty();
            }
        } catch (IOException e) {
            LOG.warnf("Not reading the agent's session from %s: %s", database, e.getMessage());
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

    /**
     * Whether {@code crush.db} is there as a regular file, reached without a link, and SQLite's companion files are
     * regular files too. The agent wrote them and could have made one a link: to another task's session (relative
     * links resolve on the host), which the runner would then send as this task's. The agent has exited when its
     * session is read, so nothing swaps one in between this look and the read; the one exception is an agent that
     * outlived its stop past the deadline, whose session is then read while it may still run.
     *
     * @throws IOException naming the link or odd file found
     */
    private boolean isPlainDatabase(Path crushDir) throws IOException {
        try (ConfinedFolder folder = ConfinedFolder.open(root, crushDir, false)) {
            if (folder.attributes(DATABASE).isEmpty()) {
                return false;
            }
            folder.sizeOf(DATABASE);
            for (String suffix : COMPANIONS) {
                folder.sizeOf(DATABASE + suffix);
            }
            return true;
        } catch (NoSuchFileException e) {
            return false;
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
