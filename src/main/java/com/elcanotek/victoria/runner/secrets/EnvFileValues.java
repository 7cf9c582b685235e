package com.elcanotek.victoria.runner.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The values an env file gives a container, as podman and docker read {@code --env-file}: one {@code NAME=value} a
 * line, the value everything after the first {@code =} (quotes and blanks included: neither engine strips them),
 * {@code #} lines and blank lines skipped. Each value comes also stripped of blanks and of one pair of quotes, as an
 * operator who wrote {@code KEY="sk-..."} thinks of it. A line of a name alone takes the value from the engine's
 * environment, which is not the file's to tell: it is not masked.
 */
public final class EnvFileValues {

    private EnvFileValues() {
    }

    /** @param file null for none; empty when it cannot be read (the engine then refuses to start the container) */
    public static List<String> of(Path file) {
        if (file == null) {
            return List.of();
        }
        try {
            return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return List.of();
        }
    }

    static List<String> parse(String text) {
        List<String> values = new ArrayList<>();
        for (String line : text.split("\n")) {
            String trimmed = line.stripLeading();
            int equals = trimmed.indexOf('=');
            if (trimmed.isEmpty() || trimmed.startsWith("#") || equals < 0) {
                continue;
            }
            String value = trimmed.substring(equals + 1);
            if (value.endsWith("\r")) {
                value = value.substring(0, value.length() - 1);
            }
            values.add(value);
            String stripped = value.strip();
            values.add(stripped);
            if (stripped.length() >= 2 && (stripped.charAt(0) == '"' || stripped.charAt(0) == '\'')
                    && stripped.charAt(stripped.length() - 1) == stripped.charAt(0)) {
                values.add(stripped.substring(1, stripped.length() - 1));
            }
        }
        return values;
    }
}
