package com.elcanotek.victoria.runner.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The journal in memory, for the task code's tests; what a restart would find is what it holds. Thread-safe. */
final class InMemoryTaskJournal implements TaskJournal {

    private final Map<String, JournalEntry> entries = new ConcurrentHashMap<>();
    /** Ids whose entries were set aside as unreadable. */
    final Set<String> setAside = ConcurrentHashMap.newKeySet();
    /** Every write, in order: what a kill -9 at any point would have left. */
    final List<JournalEntry> writes = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void write(JournalEntry entry) {
        writes.add(entry);
        entries.put(entry.task().taskId(), entry);
    }

    @Override
    public boolean holds(String taskId) {
        return entries.containsKey(taskId);
    }

    @Override
    public void forget(String taskId) {
        entries.remove(taskId);
    }

    @Override
    public List<JournalEntry> all() {
        return new ArrayList<>(entries.values());
    }

    @Override
    public Set<String> setAsideUnreadable() {
        return Set.copyOf(setAside);
    }

    Optional<JournalEntry> entry(String taskId) {
        return Optional.ofNullable(entries.get(taskId));
    }
}
