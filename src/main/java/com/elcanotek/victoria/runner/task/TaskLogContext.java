package com.elcanotek.victoria.runner.task;

import org.jboss.logging.MDC;

/**
 * Puts a task's id in the logging context (MDC key {@value #KEY}) around work on that task, so
 * that every line logged meanwhile carries it, whichever class logs it: the console format shows
 * it before the message, JSON logs have it as a field.
 */
public final class TaskLogContext {

    public static final String KEY = "taskId";

    private TaskLogContext() {
    }

    public static void run(String taskId, Runnable work) {
        Object outer = MDC.get(KEY);
        MDC.put(KEY, taskId);
        try {
            work.run();
        } finally {
            if (outer == null) {
                MDC.remove(KEY);
            } else {
                MDC.put(KEY, outer);
            }
        }
    }

    /** {@code work} to run on another thread under the task id of the current one, if any. */
    public static Runnable carried(Runnable work) {
        Object taskId = MDC.get(KEY);
        return taskId == null ? work : () -> run(taskId.toString(), work);
    }
}
