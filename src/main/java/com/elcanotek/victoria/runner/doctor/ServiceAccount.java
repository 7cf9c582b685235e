package com.elcanotek.victoria.runner.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The user the service runs as, and the environment its unit gives it, so that a doctor started as root checks what
 * the service sees (its podman, its files, its runtime dir) rather than what root sees. From {@code systemctl show} on
 * a systemd host, else the package's defaults when its user exists.
 *
 * @param home the user's home, from the password database
 */
public record ServiceAccount(String user, Path home, Map<String, String> environment) {

    /** The package's service user, and what its unit sets. */
    static final String PACKAGE_USER = "victoria-runner";
    static final Map<String, String> PACKAGE_ENVIRONMENT = Map.of("XDG_RUNTIME_DIR", "/run/victoria-runner", "LC_ALL",
            "C.UTF-8", "STATE_DIRECTORY", "/var/lib/victoria-runner");

    public ServiceAccount {
        environment = Map.copyOf(environment);
    }

    /**
     * @param systemctl the command, on a systemd host; empty elsewhere
     * @param passwd the password database ({@code /etc/passwd})
     * @return empty when there is no such service or user, or it runs as root (nothing to switch to)
     */
    public static Optional<ServiceAccount> find(Optional<List<String>> systemctl, Path passwd) {
        String user = PACKAGE_USER;
        Map<String, String> environment = new LinkedHashMap<>(PACKAGE_ENVIRONMENT);
        if (systemctl.isPresent()) {
            Map<String, String> unit = Systemctl.show(systemctl.get(), "LoadState", "User", "Environment", "StateDirectory");
            if (!"loaded".equals(unit.get("LoadState"))) {
                return Optional.empty();
            }
            user = unit.getOrDefault("User", "");
            environment.clear();
            for (String assignment : unit.getOrDefault("Environment", "").split(" ")) {
                int equals = assignment.indexOf('=');
                if (equals > 0) {
                    environment.put(assignment.substring(0, equals), assignment.substring(equals + 1));
                }
            }
            String stateDirectory = unit.getOrDefault("StateDirectory", "");
            if (!stateDirectory.isBlank()) {
                environment.put("STATE_DIRECTORY", "/var/lib/" + stateDirectory.split(" ")[0]);
            }
        }
        if (user.isEmpty() || user.equals("root")) {
            return Optional.empty();
        }
        Optional<Path> home = home(passwd, user);
        String name = user;
        return home.map(path -> new ServiceAccount(name, path, environment));
    }

    private static Optional<Path> home(Path passwd, String user) {
        try {
            for (String line : Files.readAllLines(passwd)) {
                String[] fields = line.split(":");
                if (fields.length >= 6 && fields[0].equals(user)) {
                    return Optional.of(Path.of(fields[5]));
                }
            }
        } catch (IOException e) {
            // no password database to read: no such user either
        }
        return Optional.empty();
    }

    /** {@code runuser -u USER -- env HOME=... K=V... command}: the same doctor, as the service's user. */
    public List<String> command(List<String> doctor, String marker) {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", user, "--", "env", "HOME=" + home, "USER=" + user,
                "LOGNAME=" + user, marker + "=1"));
        environment.forEach((name, value) -> command.add(name + "=" + value));
        command.addAll(doctor);
        return command;
    }
}
