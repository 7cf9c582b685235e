package com.elcanotek.victoria.runner.task;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Task file names come from the orchestrator and are treated as hostile (PROTOCOL.md): directories are stripped, so
 * a file lands in the task's folder under its base name whatever path the task gives it, and a base name that is no
 * file name ({@code .}, {@code ..}, empty, control characters, too long) is refused.
 */
final class FileNames {

    /** Most Linux file systems stop at 255 bytes per name. */
    static final int MAX_BYTES = 255;

    private FileNames() {
    }

    /** What follows the last {@code /} or {@code \\}: a name made for another system's separators is stripped too. */
    static String baseName(String name) {
        return name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
    }

    /** @return why the name's {@link #baseName} cannot be used, or {@code null} when it can */
    static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty file name";
        }
        String base = baseName(name);
        if (base.isEmpty()) {
            return "no file name after its last path separator";
        }
        if (base.equals(".") || base.equals("..")) {
            return "'" + base + "' is not a file name";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "file name contains a control character";
            }
        }
        if (base.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "file name longer than " + MAX_BYTES + " bytes";
        }
        return unwritable(base);
    }

    /**
     * A name the platform cannot turn into a path (a lone surrogate; any non-ASCII character where the runner's
     * locale is C, whose file names are ASCII): refused here, not thrown from deep in the download.
     */
    private static String unwritable(String base) {
        try {
            Path.of(base);
            return null;
        } catch (InvalidPathException e) {
            return "file name cannot be written on this host (its file names are "
                    + System.getProperty("sun.jnu.encoding", "?") + "): " + e.getReason();
        }
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
