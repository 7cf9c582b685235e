package com.elcanotek.victoria.runner.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.state.StateFiles;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One crash-safe file per held task under {@code <state>/journal/}, written before each step that
 * matters, so that a restarted runner knows what it held and how far each task got. A torn or
 * corrupt file is reported and skipped, never fatal.
 */
public class TaskJournal {

    private static final Logger LOG = Logger.getLogger(TaskJournal.class);
    // Task ids come from the server; only this shape may become a file name.
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private final Path dir;
    private final ObjectMapper json;

    public TaskJournal(Path stateDir, ObjectMapper json) {
        this.dir = stateDir.resolve("journal");
        this.json = json;
    }

    /** Whether an id from the server can name a journal file (a uuid always can). */
    public static boolean isUsableId(String taskId) {
        return taskId != null && SAFE_ID.matcher(taskId).matches();
    }

    /** Writes the entry, replacing the task's previous one; durable when this returns. */
    public synchronized void write(JournalEntry entry) {
        try {
            StateFiles.privateDir(dir);
            StateFiles.writeAtomically(file(entry.task().taskId()), json.writeValueAsBytes(entry));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the task journal in " + dir, e);
        }
    }

    /** Whether the task has an entry on disk. */
    public boolean holds(String taskId) {
        return isUsableId(taskId) && Files.exists(file(taskId));
    }

    /** The task's story is over: forget it. */
    public void forget(String taskId) {
        try {
            Files.deleteIfExists(file(taskId));
        } catch (IOException e) {
            LOG.warnf("cannot remove journal entry: %s", e.getMessage());
        }
    }

    /** Every readable entry; unreadable files are reported and skipped. */
    public List<JournalEntry> all() {
        List<JournalEntry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                read(file).ifPresent(entries::add);
            }
        } catch (IOException e) {
            LOG.errorf("Cannot list the task journal %s: %s", dir, e.getMessage());
        }
        return entries;
    }

    private Optional<JournalEntry> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JournalEntry entry = json.readValue(file.toFile(), JournalEntry.class);
            if (entry.task() == null || entry.task().taskId() == null || entry.stage() == null) {
                throw new IOException("entry without task or stage");
            }
            return Optional.of(entry);
        } catch (IOException e) {
            LOG.errorf("Skipping corrupt journal file %s: %s", file, e.getMessage());
            return Optional.empty();
        }
    }

    private Path file(String taskId) {
        if (!isUsableId(taskId)) {
            throw new IllegalArgumentException("unusable task id: " + taskId);
        }
        return dir.resolve(taskId + ".json");
    }
}
