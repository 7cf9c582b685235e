package com.elcanotek.victoria.runner.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A file of {@code NAME=value} assignments read as systemd reads {@code EnvironmentFile=} (its env-file.c):
 * {@code #} and {@code ;} comments, values in single quotes (literal) or double quotes (where a backslash escapes
 * {@code " \ ` $} and a newline), quoted and unquoted parts joined, a backslash escaping the next character outside
 * quotes and continuing the line before a newline, trailing blanks of an unquoted value dropped, lines with an
 * invalid name (such as {@code export NAME}) ignored. The runner reads the same file so that a reload sees its changes.
 */
public final class EnvironmentFile {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private enum State { PRE_KEY, KEY, PRE_VALUE, VALUE, VALUE_ESCAPE, SINGLE_QUOTED, DOUBLE_QUOTED, DOUBLE_QUOTED_ESCAPE,
        COMMENT, COMMENT_ESCAPE }

    private EnvironmentFile() {
    }

    /** @throws InvalidOption naming {@code --environment-file} when the file cannot be read */
    public static Map<String, String> read(Path file) {
        try {
            // as bytes: systemd takes what is not UTF-8 too, rather than failing the start
            return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new InvalidOption("--environment-file", "environment file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidOption("--environment-file", "cannot read environment file " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    static Map<String, String> parse(String text) {
        Map<String, String> assignments = new LinkedHashMap<>();
        StringBuilder key = new StringBuilder();
        StringBuilder value = new StringBuilder();
        int valueEnd = 0; // the unquoted value up to its last non-blank character
        State state = State.PRE_KEY;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (state) {
                case PRE_KEY -> {
                    if (c == '#' || c == ';') {
                        state = State.COMMENT;
                    } else if (!Character.isWhitespace(c)) {
                        key.setLength(0);
                        key.append(c);
                        state = State.KEY;
                    }
                }
                case KEY -> {
                    if (c == '\n') {
                        state = State.PRE_KEY; // a name without '=': ignored
                    } else if (c == '=') {
                        value.setLength(0);
                        valueEnd = 0;
                        state = State.PRE_VALUE;
                    } else {
                        key.append(c);
                    }
                }
                case PRE_VALUE -> {
                    if (c == '\n') {
                        state = end(assignments, key, value, valueEnd);
                    } else if (c == '\'') {
                        state = State.SINGLE_QUOTED;
                    } else if (c == '"') {
                        state = State.DOUBLE_QUOTED;
                    } else if (c == '\\') {
                        state = State.VALUE_ESCAPE;
                    } else if (!Character.isWhitespace(c)) {
                        value.append(c);
                        valueEnd = value.length();
                        state = State.VALUE;
                    }
                }
                case VALUE -> {
                    if (c == '\n') {
                        state = end(assignments, key, value, valueEnd);
                    } else if (c == '\\') {
                        state = State.VALUE_ESCAPE;
                    } else {
                        value.append(c);
                        if (!Character.isWhitespace(c)) {
                            valueEnd = value.length();
                        }
                    }
                }
                case VALUE_ESCAPE -> {
                    if (c != '\n') {
                        value.append(c);
                        valueEnd = value.length();
                    }
                    state = State.VALUE;
                }
                case SINGLE_QUOTED -> {
                    if (c == '\'') {
                        valueEnd = value.length();
                        state = State.PRE_VALUE;
                    } else {
                        value.append(c);
                    }
                }
                case DOUBLE_QUOTED -> {
                    if (c == '"') {
                        valueEnd = value.length();
                        state = State.PRE_VALUE;
                    } else if (c == '\\') {
                        state = State.DOUBLE_QUOTED_ESCAPE;
                    } else {
                        value.append(c);
                    }
                }
                case DOUBLE_QUOTED_ESCAPE -> {
                    if ("\"\\`$".indexOf(c) >= 0) {
                        value.append(c);
                    } else if (c != '\n') {
                        value.append('\\').append(c);
                    }
                    state = State.DOUBLE_QUOTED;
                }
                case COMMENT -> {
                    if (c == '\\') {
                        state = State.COMMENT_ESCAPE;
                    } else if (c == '\n') {
                        state = State.PRE_KEY;
                    }
                }
                case COMMENT_ESCAPE -> state = State.COMMENT;
                default -> throw new IllegalStateException(state.name());
            }
        }
        switch (state) {
            case PRE_VALUE, VALUE, VALUE_ESCAPE -> end(assignments, key, value, valueEnd);
            case SINGLE_QUOTED, DOUBLE_QUOTED, DOUBLE_QUOTED_ESCAPE -> end(assignments, key, value, value.length());
            default -> {
                // the last line was a comment, blank, or a name without '='
            }
        }
        return assignments;
    }

    private static State end(Map<String, String> assignments, StringBuilder key, StringBuilder value, int valueEnd) {
        String name = key.toString().strip();
        if (NAME.matcher(name).matches()) {
            assignments.put(name, value.substring(0, Math.min(valueEnd, value.length())));
        }
        return State.PRE_KEY;
    }
}
