package com.elcanotek.victoria.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * Collects every log record published while it is open, from all categories (Quarkus logs through
 * JBoss LogManager behind java.util.logging). The runner's own categories are lowered to DEBUG
 * meanwhile, so that debug lines are collected too.
 */
public final class LogCapture implements AutoCloseable {

    private static final String RUNNER_CATEGORY = "com.elcanotek.victoria.runner";

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Logger runner = Logger.getLogger(RUNNER_CATEGORY);
    private final Level runnerLevel = runner.getLevel();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture() {
        handler.setLevel(Level.ALL);
        runner.setLevel(Level.FINE);
        root.addHandler(handler);
    }

    public static LogCapture start() {
        return new LogCapture();
    }

    /** Each record as an operator reads it: the formatted message, then the messages of what was thrown. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (LogRecord record : records) {
            lines.add(record.getLevel() + " " + formatted(record));
            for (Throwable t = record.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                lines.add("  thrown " + t);
            }
        }
        return lines;
    }

    /** The formatted messages logged at {@code level} or above. */
    public List<String> atLeast(Level level) {
        return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue())
                .map(LogCapture::formatted).toList();
    }

    private static String formatted(LogRecord record) {
        return record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        runner.setLevel(runnerLevel);
    }
}
