package com.elcanotek.victoria.runner.task;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;

/** Carries a task through to its final report. Runs on its own thread; must not throw. */
public interface TaskHandler {

    /** A task just claimed. */
    void handle(TaskAssignment task);

    /** A task held before a restart, picked up where the journal says it was. */
    void resume(JournalEntry entry);
}
