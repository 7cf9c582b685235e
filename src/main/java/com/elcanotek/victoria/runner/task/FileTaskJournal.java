package com.elcanotek.victoria.runner.task;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.state.StateFiles;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The journal as files: one crash-safe file per held task under {@code <state>/journal/} (0600 in a 0700 folder). A
 * torn or corrupt file is never fatal: the operator's commands skip it, and the daemon sets it aside once as
 * {@code <id>.json.unreadable}.
 */
public class FileTaskJournal implements TaskJournal {

    private static final Logger LOG = Logger.getLogger(FileTaskJournal.class);
    private static final String ENTRY = ".json";
    private static final String SET_ASIDE = ".json.unreadable";

    private final Path dir;
    private final ObjectMapper json;

    public FileTaskJournal(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
    }

    @Override
    public synchronized void write(JournalEntry entry) {
        try {
            StateFiles.privateDir(dir);
            StateFiles.writeAtomically(file(entry.task().taskId()), json.writeValueAsBytes(entry));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the task journal in " + dir, e);
        }
    }

    @Override
    public boolean holds(String taskId) {
        return TaskJournal.isUsableId(taskId) && Files.exists(file(taskId));
    }

    @Override
    public void forget(String taskId) {
        try {
            Files.deleteIfExists(file(taskId));
        } catch (IOException e) {
            LOG.warnf("cannot remove journal entry: %s", e.getMessage());
        }
    }

    /** Read-only: an operator's command beside a running daemon must not move the daemon's files. */
    @Override
    public List<JournalEntry> all() {
        List<JournalEntry> entries = new ArrayList<>();
        for (Path file : files("*" + ENTRY)) {
            try {
                read(file).ifPresent(entries::add);
            } catch (IOException e) {
                LOG.debugf("Skipping unreadable journal file %s: %s", file, e.getMessage());
            }
        }
        return entries;
    }

    @Override
    public synchronized Set<String> setAsideUnreadable() {
        for (Path file : files("*" + ENTRY)) {
            try {
                read(file);
            } catch (IOException e) {
                setAside(file, e);
            }
        }
        Set<String> ids = new TreeSet<>();
        for (Path file : files("*" + SET_ASIDE)) {
            String name = file.getFileName().toString();
            ids.add(name.substring(0, name.length() - SET_ASIDE.length()));
        }
        return ids;
    }

    private void setAside(Path file, IOException why) {
        String name = file.getFileName().toString();
        Path aside = file.resolveSibling(name.substring(0, name.length() - ENTRY.length()) + SET_ASIDE);
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.errorf("The journal entry %s cannot be read (%s); set aside as %s. Its task is given up on this runner"
                    + " (its lease expires and the orchestrator hands it out again); its container, if any, is left alone:"
                    + " look at it, then remove it and the file by hand", file, why.getMessage(), aside.getFileName());
        } catch (IOException e) {
            LOG.errorf("The journal entry %s cannot be read (%s) nor set aside (%s)", file, why.getMessage(), e.getMessage());
        }
    }

    private List<Path> files(String glob) {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
            files.forEach(found::add);
        } catch (IOException e) {
            LOG.errorf("Cannot list the task journal %s: %s", dir, e.getMessage());
        }
        return found;
    }

    /** @throws IOException when the file exists but holds no entry */
    private Optional<JournalEntry> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JournalEntry entry = json.readValue(file.toFile(), JournalEntry.class);
        if (entry == null || entry.task() == null || entry.task().taskId() == null || entry.stage() == null) {
            throw new IOException("entry without task or stage");
        }
        return Optional.of(entry);
    }

    private Path file(String taskId) {
        if (!TaskJournal.isUsableId(taskId)) {
            throw new IllegalArgumentException("unusable task id: " + taskId);
        }
        return dir.resolve(taskId + ENTRY);
    }
}
