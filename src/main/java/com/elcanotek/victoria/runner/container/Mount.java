package com.elcanotek.victoria.runner.container;

import java.nio.file.Path;

/**
 * A host path a container sees, as {@code -v HOST:TARGET:OPTIONS}.
 *
 * @param privateToIt no other container mounts it: on an SELinux host it gets a label of this container's own
 *                    ({@code Z}); every other mount gets the label all containers share ({@code z}), as a private label
 *                    on a folder another container mounts takes that container's access away (podman issues 2043 and
 *                    7512): two concurrent tasks would lock each other out of the Victoria home
 * @param readOnly    the container may not write it
 */
public record Mount(Path host, String target, boolean privateToIt, boolean readOnly) {

    public Mount {
        // -v splits on ":", so a path holding one would mount something else
        if (!host.isAbsolute() || host.toString().contains(":")) {
            throw new IllegalArgumentException("host path must be absolute, without ':': " + host);
        }
        if (!target.startsWith("/") || target.contains(":")) {
            throw new IllegalArgumentException("container path must be absolute, without ':': " + target);
        }
    }

    /** A folder every task's container mounts, read and written. */
    public static Mount shared(Path host, String target) {
        return new Mount(host, target, false, false);
    }

    /** A folder only this container mounts, read and written. */
    public static Mount own(Path host, String target) {
        return new Mount(host, target, true, false);
    }

    /** What follows the target in {@code -v}: hosts without SELinux ignore the relabelling. */
    public String options() {
        return (readOnly ? "ro," : "") + (privateToIt ? "Z" : "z");
    }

    /** The {@code -v} argument. */
    String argument() {
        return host + ":" + target + ":" + options();
    }
}
