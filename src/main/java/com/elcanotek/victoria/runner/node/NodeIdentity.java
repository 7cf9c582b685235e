package com.elcanotek.victoria.runner.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import com.elcanotek.victoria.runner.orchestrator.RegisterRequest;

/** Who this node says it is when it registers. */
public record NodeIdentity(String hostname, String name, String osType) {

    public RegisterRequest registerRequest() {
        return new RegisterRequest(hostname, name, osType);
    }

    /** This host's name; the default node name too. */
    public static String localHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String fromEnvironment = System.getenv("HOSTNAME");
            return fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment : "localhost";
        }
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
