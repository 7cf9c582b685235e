package com.elcanotek.victoria.runner.doctor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.elcanotek.victoria.runner.config.RunnerConfig;
import com.elcanotek.victoria.runner.container.ContainerException;
import com.elcanotek.victoria.runner.container.ContainerPolicy;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.LimitSupport;

/**
 * The container engine as the runner would use it: found, answering, rootless or not (and then the user's
 * subordinate ids), cgroups and the limits they can enforce, SELinux, the image, the registry credentials, and the
 * devices the options ask for.
 */
final class EngineChecks {

    static final String GROUP = "engine";
    /** A user namespace smaller than this cannot map the users of common images. */
    static final long SUBORDINATE_IDS = 65536;

    private final Places places;
    private final String user;
    private final long uid;

    EngineChecks(Places places, String user, long uid) {
        this.places = places;
        this.user = user;
        this.uid = uid;
    }

    /** What the engine checks found: the lines, and what the engine said of itself (empty when it did not answer). */
    record Findings(List<Check> checks, Optional<EngineFacts> facts) {
    }

    /** Every engine check; those that need an answering engine only once it answers. */
    Findings all(Optional<ContainerRuntime> found, RunnerConfig config) {
        List<Check> checks = new ArrayList<>();
        if (found.isEmpty()) {
            checks.add(Check.fail(GROUP, "found", "no " + (config.containerRuntime().equals("auto") ? "podman or docker"
                    : config.containerRuntime()) + " on the PATH (" + places.path() + ")", "install podman (or docker)"));
            return new Findings(checks, Optional.empty());
        }
        ContainerRuntime runtime = found.get();
        checks.add(Check.ok(GROUP, "found", runtime.name()));
        String version;
        try {
            version = runtime.ping();
        } catch (ContainerException e) {
            checks.add(Check.fail(GROUP, "answers", runtime.name() + " does not answer: " + e.getMessage(),
                    runtime.name().equals("docker") ? "start the docker daemon (systemctl start docker), or check DOCKER_HOST"
                            : "run podman info as " + user + " to see what it needs"));
            return new Findings(checks, Optional.empty());
        }
        checks.add(Check.ok(GROUP, "answers", runtime.name() + " " + version));
        Optional<EngineFacts> facts = facts(runtime, checks);
        facts.ifPresent(engine -> {
            checks.add(Check.ok(GROUP, "rootless", engine.rootless() ? "rootless, as " + user : "rootful"));
            if (engine.rootless() && runtime.name().equals("podman")) {
                checks.add(subordinateIds("subuid", places.subuid()));
                checks.add(subordinateIds("subgid", places.subgid()));
            }
            checks.add(limits(config.containerPolicy(), engine.limits()));
        });
        checks.add(selinux());
        checks.add(image(runtime, config));
        checks.add(registryAuth(config.registryAuthFile()));
        checks.addAll(devices(runtime.name(), config.containerPolicy()));
        return new Findings(checks, facts);
    }

    private static Optional<EngineFacts> facts(ContainerRuntime runtime, List<Check> checks) {
        try {
            return Optional.of(runtime.name().equals("docker") ? EngineFacts.ofDocker(runtime.info())
                    : EngineFacts.ofPodman(runtime.info()));
        } catch (ContainerException e) {
            checks.add(Check.fail(GROUP, "info", runtime.name() + " info failed: " + e.getMessage(),
                    "run " + runtime.name() + " info to see why"));
            return Optional.empty();
        }
    }

    Check subordinateIds(String kind, Path file) {
        String name = kind + " ranges";
        long total = 0;
        try {
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.strip().split(":");
                if (fields.length == 3 && (fields[0].equals(user) || fields[0].equals(Long.toString(uid)))) {
                    total += Long.parseLong(fields[2].strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Check.fail(GROUP, name, file + " cannot be read: " + e.getMessage(), "usermod --add-" + kind + "s "
                    + "100000-165535 " + user);
        }
        if (total == 0) {
            return Check.fail(GROUP, name, file + " gives " + user + " no subordinate ids: rootless podman cannot create a "
                    + "user namespace", "usermod --add-" + kind + "s 100000-165535 " + user + " && podman system migrate");
        }
        if (total < SUBORDINATE_IDS) {
            return Check.warn(GROUP, name, file + " gives " + user + " " + total + " ids: images whose users have higher ids "
                    + "fail", "give " + user + " 65536: usermod --add-" + kind + "s ... " + user);
        }
        return Check.ok(GROUP, name, file + " gives " + user + " " + total + " ids");
    }

    /** The same judgement as the daemon's, which says it at start (container/LimitSupport). */
    static Check limits(ContainerPolicy policy, LimitSupport support) {
        Optional<String> warning = support.warning(policy);
        if (warning.isEmpty()) {
            return Check.ok(GROUP, "limits", support.host() + ": the configured limits are enforced");
        }
        return Check.warn(GROUP, "limits", warning.get(),
                "run the engine as root, or rootless on cgroup v2 with a systemd user session (loginctl enable-linger)"
                        + " and the controllers delegated; or drop the limits the host cannot keep");
    }

    Check selinux() {
        try {
            String mode = Files.readString(places.selinuxEnforce()).strip();
            return Check.ok(GROUP, "selinux", mode.equals("1") ? "enforcing: the Victoria home is mounted with :Z"
                    : "permissive");
        } catch (IOException e) {
            return Check.ok(GROUP, "selinux", "not enabled");
        }
    }

    static Check image(ContainerRuntime runtime, RunnerConfig config) {
        String image = config.containerImage();
        try {
            Optional<String> id = runtime.imageId(image);
            if (id.isPresent()) {
                return Check.ok(GROUP, "image", image + " is present: " + id.get());
            }
        } catch (ContainerException e) {
            return Check.fail(GROUP, "image", image + " cannot be looked at: " + e.getMessage(), "see engine/answers");
        }
        if ("never".equals(config.containerPolicy().pull())) {
            return Check.fail(GROUP, "image", image + " is not on this host and --pull never forbids pulling it",
                    runtime.name() + " pull " + image);
        }
        return Check.warn(GROUP, "image", image + " is not on this host yet: the runner pulls it before its first claim",
                runtime.name() + " pull " + image + " (to find out now whether the registry can be reached)");
    }

    static Check registryAuth(Path file) {
        if (file == null) {
            return Check.ok(GROUP, "registry auth", "none configured: the engine's own credentials, if any");
        }
        if (!Files.isReadable(file)) {
            return Check.fail(GROUP, "registry auth", file + " is not readable", "make it readable by the runner's user "
                    + "(0600, owned by it)");
        }
        return Check.ok(GROUP, "registry auth", file + " is readable");
    }

    /** Each {@code --device} path or CDI name, and the CDI device {@code --gpus} stands for with podman. */
    List<Check> devices(String engine, ContainerPolicy policy) {
        List<String> devices = new ArrayList<>(policy.devices());
        if (policy.gpus() != null && engine.equals("podman")) {
            devices.add("nvidia.com/gpu=" + policy.gpus());
        }
        List<Check> checks = new ArrayList<>();
        for (String device : devices) {
            checks.add(isCdiName(device) ? cdi(device) : devicePath(device));
        }
        if (policy.gpus() != null && engine.equals("docker")) {
            boolean toolkit = places.path().find("nvidia-container-runtime-hook").isPresent()
                    || places.path().find("nvidia-container-runtime").isPresent();
            checks.add(toolkit ? Check.ok(GROUP, "gpus", "--gpus " + policy.gpus() + ": the NVIDIA container toolkit is installed")
                    : Check.fail(GROUP, "gpus", "--gpus " + policy.gpus() + " needs the NVIDIA container toolkit, which is not "
                            + "on the PATH", "install nvidia-container-toolkit and restart docker"));
        }
        return checks;
    }

    private static boolean isCdiName(String device) {
        return device.contains("=") && device.indexOf('/') < device.indexOf('=') && !device.startsWith("/");
    }

    private static Check devicePath(String device) {
        Path host = Path.of(device.split(":")[0]);
        return Files.exists(host) ? Check.ok(GROUP, "device " + device, host + " exists")
                : Check.fail(GROUP, "device " + device, host + " does not exist on this host",
                        "correct --device, or load the driver that creates " + host);
    }

    /** A CDI name {@code vendor/class=device}: a spec of that kind naming that device (or "all") in a CDI folder. */
    private Check cdi(String name) {
        String kind = name.substring(0, name.indexOf('='));
        String device = name.substring(name.indexOf('=') + 1);
        for (Path dir : places.cdiDirs()) {
            try (DirectoryStream<Path> specs = Files.newDirectoryStream(dir, "*.{yaml,yml,json}")) {
                for (Path spec : specs) {
                    String text = Files.readString(spec);
                    if (text.matches("(?s).*\"?kind\"?\\s*:\\s*\"?" + java.util.regex.Pattern.quote(kind) + "\"?.*")
                            && text.matches("(?s).*\"?name\"?\\s*:\\s*\"?" + java.util.regex.Pattern.quote(device) + "\"?\\s*[,\\n}].*")) {
                        return Check.ok(GROUP, "device " + name, "described by " + spec);
                    }
                }
            } catch (IOException e) {
                // a folder that is not there describes nothing
            }
        }
        return Check.fail(GROUP, "device " + name, "no CDI spec in " + places.cdiDirs() + " describes " + name,
                "generate one: nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml (NVIDIA), or correct the name");
    }
}
