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
        view.claimingStopped().ifPresent(reason -> line.append("; not claiming: ").append(reason));
        return line.toString();
    }

    /** Long enough for any reason of ours; an engine's error text can be any length. */
    static final int MAX_LENGTH = 512;

    /**
     * A newline would end the assignment and start another, a NUL would end the message, and systemd drops a
     * message of 4 KiB or more whole.
     */
    static String oneLine(String text) {
        String line = text.replaceAll("\\p{Cntrl}+", " ");
        return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH - 1) + "…";
    }
}
