package com.elcanotek.victoria.runner.orchestrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import com.elcanotek.victoria.runner.container.ContainerRuntime;

/**
 * What every request says of the runner, so that an orchestrator's operators see which build, on which system and
 * engine, each node runs: {@code victoria-runner/0.1.0 (debian 12; amd64; podman 4.3.1)}. The metric
 * {@code victoria_runner_build_info} and {@code --version} carry the same parts.
 *
 * @param engine e.g. {@code podman 4.3.1}, or the CLI's name and "not answering"
 */
public record UserAgent(String version, String os, String arch, String engine) {

    /** This build and host, with {@code engine} as the engine answered at start. */
    public static UserAgent of(String version, String engine) {
        return new UserAgent(version, os(Path.of("/etc/os-release"), System.getProperty("os.name"),
                System.getProperty("os.version")), System.getProperty("os.arch"), engine);
    }

    /** "podman 4.3.1" as the engine answers now; "podman not-answering", or "no-engine" when there is no CLI. */
    public static String engine(Optional<ContainerRuntime> runtime) {
        if (runtime.isEmpty()) {
            return "no-engine";
        }
        try {
            return runtime.get().name() + " " + runtime.get().ping();
        } catch (RuntimeException notAnswering) {
            return runtime.get().name() + " not-answering";
        }
    }

    /** {@code ID VERSION_ID} of os-release ({@code debian 12}, {@code fedora 40}), else the kernel's name and version. */
    static String os(Path osRelease, String osName, String osVersion) {
        Map<String, String> fields = new HashMap<>();
        try {
            for (String line : Files.readAllLines(osRelease)) {
                int equals = line.indexOf('=');
                if (equals > 0) {
                    fields.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip().replaceAll("^[\"']|[\"']$", ""));
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // no os-release: the kernel's words
        }
        String id = fields.getOrDefault("ID", "");
        if (id.isEmpty()) {
            return (osName + " " + osVersion).strip();
        }
        String versionId = fields.getOrDefault("VERSION_ID", "");
        return versionId.isEmpty() ? id : id + " " + versionId;
    }

    /** The header's value; the parts never hold the characters that would end a comment or a header. */
    public String header() {
        return "victoria-runner/" + clean(version) + " (" + clean(os) + "; " + clean(arch) + "; " + clean(engine) + ")";
    }

    private static String clean(String part) {
        return part == null || part.isBlank() ? "unknown" : part.replaceAll("[^\\x20-\\x7e]|[()]", "").strip();
    }

    @Override
    public String toString() {
        return header();
    }
}
