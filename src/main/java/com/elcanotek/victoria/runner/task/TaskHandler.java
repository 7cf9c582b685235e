package com.elcanotek.victoria.runner.task;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;

/** Carries a claimed task through to its final report. Runs on its own thread; must not throw. */
public interface TaskHandler {

    void handle(TaskAssignment task);
}
