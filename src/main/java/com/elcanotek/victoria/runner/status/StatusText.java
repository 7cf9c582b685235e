package com.elcanotek.victoria.runner.status;

import java.time.Duration;
import java.time.Instant;

/** A {@link StatusReport} as an operator reads it in a terminal. */
public final class StatusText {

    private StatusText() {
    }

    public static String format(StatusReport report, Instant now) {
        StringBuilder out = new StringBuilder();
        if (report.nodeId() == null) {
            out.append("Node:             not registered (no credentials in the state dir)\n");
        } else {
            out.append("Node:             ").append(report.nodeName()).append(" (").append(report.nodeId()).append(")\n");
            out.append("Orchestrator:     ").append(report.orchestratorUrl()).append('\n');
            out.append("Registered since: ").append(report.registeredAt()).append('\n');
        }
        out.append("Daemon:           ").append(daemon(report)).append('\n');
        out.append("Last contact:     ").append(report.lastContact() == null ? "never recorded"
                : report.lastContact() + " (" + human(Duration.between(report.lastContact(), now)) + " ago)").append('\n');
        out.append("Outbox:           ").append(report.outboxDepth()).append(" final status(es) not yet taken by the orchestrator\n");
        if (report.drainingSince() != null) {
            out.append("Claiming:         draining since ").append(report.drainingSince())
                    .append(" ('victoria-runner resume' claims again)\n");
        } else if (report.daemonRunning() && report.claimingStopped() != null) {
            out.append("Claiming:         ").append(report.claimingStopped()).append('\n');
        }
        if (report.daemonRunning() && report.limitsNotEnforced() != null) {
            out.append("Limits:           ").append(report.limitsNotEnforced()).append('\n');
        }
        out.append("Tasks in flight:  ").append(report.tasks().size()).append('\n');
        if (!report.tasks().isEmpty()) {
            out.append(String.format("  %-36s  %-17s  %-17s  %-11s  %s%n", "TASK", "STAGE", "CONTAINER", "RUNNING FOR",
                    "IMAGE"));
            for (StatusReport.Task task : report.tasks()) {
                out.append(String.format("  %-36s  %-17s  %-17s  %-11s  %s%n", task.taskId(), task.stage(),
                        task.container() == null ? "-" : task.container(), human(Duration.ofSeconds(task.runningForSeconds())),
                        task.image() == null ? "-" : task.image()));
            }
        }
        return out.toString();
    }

    private static String daemon(StatusReport report) {
        if (report.daemonPid() == null) {
            return "unknown (no status file yet)";
        }
        return report.daemonRunning() ? "running (pid " + report.daemonPid() + ")"
                : "not running (last pid " + report.daemonPid() + ")";
    }

    /** "2h 05m", "4m 10s", "12s". */
    static String human(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds >= 3600) {
            return String.format("%dh %02dm", seconds / 3600, seconds % 3600 / 60);
        }
        if (seconds >= 60) {
            return String.format("%dm %02ds", seconds / 60, seconds % 60);
        }
        return seconds + "s";
    }
}
