package com.elcanotek.victoria.runner.task;

import java.nio.charset.StandardCharsets;

/**
 * Task file names come from the orchestrator and are treated as hostile: only a plain base name
 * may become a file on this host. Anything else is refused, not repaired, so that the file the
 * agent sees is exactly the file the task names.
 */
final class FileNames {

    /** Most Linux file systems stop at 255 bytes per name. */
    static final int MAX_BYTES = 255;

    private FileNames() {
    }

    /** @return why the name cannot be used, or {@code null} when it can */
    static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty file name";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'" + name + "' is not a file name";
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            return "file name contains a path separator";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "file name contains a control character";
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "file name longer than " + MAX_BYTES + " bytes";
        }
        return null;
    }

    /** A printable form of a hostile name for messages: control characters escaped, length capped. */
    static String printable(String name) {
        if (name == null) {
            return "<null>";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length() && out.length() < 80; i++) {
            char c = name.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.length() < name.length() ? out + "..." : out.toString();
    }
}
