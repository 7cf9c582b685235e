package com.elcanotek.victoria.runner.logs;

import java.nio.file.Path;
import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code DemoSession VICTORIA_HOME}: writes a small Crush session into {@code VICTORIA_HOME/.crush/crush.db}, standing
 * in for the one the real agent leaves behind, which the test image's agent cannot write (no SQLite in busybox).
 * bench/demo.sh runs it, so that the runner has a session log to submit.
 */
public final class DemoSession {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoSession() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: DemoSession VICTORIA_HOME");
            System.exit(2);
        }
        long now = Instant.now().getEpochSecond();
        CrushDbFixture.create(Path.of(args[0]), CrushDbFixture.Schema.CURRENT)
                .session("demo-session", null, now, now)
                .message("demo-1", "demo-session", "user", parts("Say hello to the operator."), now)
                .message("demo-2", "demo-session", "assistant",
                        parts("Hello! This session was written by bench/demo.sh; the real agent writes its own."), now + 1);
    }

    /** A message's parts as Crush stores them: a JSON array, here of one text part. */
    private static String parts(String text) throws Exception {
        return JSON.writeValueAsString(new Object[] {JSON.createObjectNode().put("type", "text")
                .set("data", JSON.createObjectNode().put("text", text))});
    }
}
