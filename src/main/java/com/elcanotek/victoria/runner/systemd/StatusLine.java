package com.elcanotek.victoria.runner.systemd;

import java.time.Duration;
import java.time.Instant;

import com.elcanotek.victoria.runner.health.RunnerView;

/** The line {@code systemctl status} shows: node, tasks held, last contact, and why nothing is claimed. */
final class StatusLine {

    private StatusLine() {
    }

    static String of(RunnerView view, Instant now) {
        StringBuilder line = new StringBuilder(view.nodeId().map(id -> "node " + id).orElse("not registered"));
        line.append(", ").append(view.tasksHeld()).append(view.tasksHeld() == 1 ? " task" : " tasks").append(" held, ");
        line.append(view.lastContact()
                .map(contact -> "last contact " + Math.max(0, Duration.between(contact, now).toSeconds()) + " s ago")
                .orElse("no contact with the orchestrator yet"));
        view.claimingStopped().or(view::diskShortage).ifPresent(reason -> line.append("; not claiming: ").append(reason));
        return line.toString();
    }

    /** A newline would end the assignment and start another one. */
    static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]+", " ");
    }
}
