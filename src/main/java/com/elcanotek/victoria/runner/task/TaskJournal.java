package com.elcanotek.victoria.runner.task;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the runner knows of the tasks it holds, kept where a restart finds it: each step that matters is written
 * before the next begins, so that a restarted runner knows what it held and how far each task got.
 */
public interface TaskJournal {

    /** Task ids come from the server; only this shape may name an entry (a uuid always can). */
    Pattern USABLE_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    /** Whether an id from the server can name an entry. */
    static boolean isUsableId(String taskId) {
        return taskId != null && USABLE_ID.matcher(taskId).matches();
    }

    /**
     * Writes the entry, replacing the task's previous one; durable when this returns.
     *
     * @throws java.io.UncheckedIOException when it cannot be written
     */
    void write(JournalEntry entry);

    /** Whether the task has an entry. */
    boolean holds(String taskId);

    /** The task's story is over: forget it. */
    void forget(String taskId);

    /** Every readable entry; what cannot be read is skipped (see {@link #setAsideUnreadable}). */
    List<JournalEntry> all();

    /**
     * Puts entries that cannot be read out of the way, once, saying so, and answers the ids of every entry put out of
     * the way so far: those tasks are still this runner's to account for (their containers are not strays), although
     * nothing more is known of them.
     */
    Set<String> setAsideUnreadable();
}
