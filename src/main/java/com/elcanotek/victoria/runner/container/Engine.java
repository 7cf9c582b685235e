package com.elcanotek.victoria.runner.container;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The engine that runs the containers, which is not always what the CLI's name says: the
 * docker CLI may be talking to podman's Docker-compatible socket.
 */
record Engine(Kind kind, String version) {

    enum Kind { PODMAN, DOCKER }

    private static final Pattern MAJOR_MINOR = Pattern.compile("^v?(\\d+)\\.(\\d+)");

    /**
     * Whether {@code --add-host NAME:host-gateway} is understood. Docker has it since 20.10.
     * Podman gained it upstream in 4.7 (containers/podman#19152), but we require 5.0: before
     * it, podman 4.3.1 refuses the value with exit 125 (and through the Docker API accepts it
     * but writes a broken /etc/hosts), so a wrong guess fails every task, while skipping the
     * flag costs nothing because podman 4.x writes host.containers.internal itself. 4.7-4.9
     * could not be verified here; 5.0 is the first major release that surely has it.
     */
    boolean supportsHostGateway() {
        return kind == Kind.PODMAN ? atLeast(5, 0) : atLeast(20, 10);
    }

    /**
     * Whether a tmpfs mounted over a folder starts as a copy of what lies beneath it (podman's {@code tmpcopyup}, on by
     * default, through its Docker API too), unless told {@code notmpcopyup}, which docker refuses ("invalid tmpfs
     * option"): docker's tmpfs starts empty. Seen with podman 4.3.1 and docker 20.10.24.
     */
    boolean copiesIntoTmpfs() {
        return kind == Kind.PODMAN;
    }

    /** False for a version that does not start with major.minor: unknown means unsupported. */
    boolean atLeast(int major, int minor) {
        Matcher m = MAJOR_MINOR.matcher(version);
        if (!m.find()) {
            return false;
        }
        int actualMajor = Integer.parseInt(m.group(1));
        return actualMajor > major || actualMajor == major && Integer.parseInt(m.group(2)) >= minor;
    }
}
