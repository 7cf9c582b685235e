package com.elcanotek.victoria.runner.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.elcanotek.victoria.runner.orchestrator.RegisterRequest;

/** Who this node says it is when it registers. */
public record NodeIdentity(String hostname, String name, String osType) {

    /** The kernel's host name ({@code gethostname}, Python's {@code platform.node()}): no DNS, no environment. */
    public static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    /** Host names that many hosts share: as node names they would make those hosts one node. "(none)" is the kernel's own. */
    private static final Set<String> SHARED_NAMES = Set.of("localhost", "localhost.localdomain", "localhost6",
            "localhost6.localdomain6", "(none)");

    /**
     * The node name the runner uses and where it comes from.
     *
     * @param problem why the name cannot be used (empty, or one that many hosts share); empty when it can
     */
    public record Name(String value, String source, Optional<String> problem) {
    }

    public RegisterRequest registerRequest() {
        return new RegisterRequest(hostname.isEmpty() ? name : hostname, name, osType);
    }

    /** This host's name as the kernel has it; empty when unreadable. Never a DNS answer, never guessed. */
    public static String hostname(Path kernelHostname) {
        try {
            return Files.readString(kernelHostname, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException unreadable) {
            return "";
        }
    }

    /**
     * The node name: {@code configured} ({@code --name}) when given, else the kernel's host name, which may not be
     * empty nor one that many hosts share ({@code localhost}): those would make every such host one node.
     */
    public static Name name(String configured, Path kernelHostname) {
        if (configured != null && !configured.isBlank()) {
            return new Name(configured.strip(), "--name", Optional.empty());
        }
        String host = hostname(kernelHostname);
        String source = "the host name (" + kernelHostname + ")";
        if (host.isEmpty()) {
            return new Name(host, source, Optional.of("missing, and this host has no name in " + kernelHostname
                    + "; give the node a name of its own with --name"));
        }
        if (SHARED_NAMES.contains(host.toLowerCase(Locale.ROOT))) {
            return new Name(host, source, Optional.of("missing, and this host's name '" + host + "' (" + kernelHostname
                    + ") is one many hosts share, which would make them one node; give the node a name of its own with --name"));
        }
        return new Name(host, source, Optional.empty());
    }

    /** {@code os_type} as the orchestrator knows it: the os-release ID on Linux, {@code macos} on a Mac. */
    public static String osType(Path osRelease, String osName) {
        if (osName.toLowerCase(Locale.ROOT).contains("mac")) {
            return "macos";
        }
        try {
            for (String line : Files.readAllLines(osRelease)) {
                if (line.startsWith("ID=")) {
                    String id = line.substring(3).replace("\"", "").replace("'", "").strip().toLowerCase(Locale.ROOT);
                    return id.isEmpty() ? "linux" : id;
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // No os-release (containers, old systems): the generic answer is still valid.
        }
        return "linux";
    }
}
