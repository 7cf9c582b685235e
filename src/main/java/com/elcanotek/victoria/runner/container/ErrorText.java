package com.elcanotek.victoria.runner.container;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a CLI's stderr into an error message: the lines that say what went wrong, without the
 * chatter both CLIs print around it.
 */
final class ErrorText {

    private static final List<Pattern> HARMLESS = List.of(
            // podman on hosts without a syslog daemon, on every call
            Pattern.compile("failed to connect to syslog"),
            // podman's logrus notes: pull retries, "resorting to SIGKILL" after stop -t
            Pattern.compile("level=(warning|info|debug)"),
            // pull progress, printed before the real error; docker's "Unable to find image 'X' locally" is kept: a
            // Docker engine's pull error need not name the image ("Get "http://localhost/v2/": connection refused")
            Pattern.compile("^Trying to pull "),
            // docker CLI usage hint after any `run` error
            Pattern.compile("^Run '.*--help' for more information$"));

    private ErrorText() {
    }

    /** The meaningful lines of {@code stderr}, trimmed; empty when there are none. */
    static String of(String stderr) {
        return stderr.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .filter(line -> HARMLESS.stream().noneMatch(p -> p.matcher(line).find()))
                .collect(Collectors.joining("\n"));
    }
}
