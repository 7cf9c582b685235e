package com.elcanotek.victoria.runner.doctor;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.elcanotek.victoria.runner.admission.DiskSpaceGuard;

/**
 * The host around the runner: free disk where it writes, a locale that carries any prompt, and, for root on a
 * systemd host, the state of the service.
 */
final class HostChecks {

    static final String GROUP = "host";
    private static final String UNIT = Systemctl.UNIT;
    private static final long MIB = 1024 * 1024;
    /** The journal and the credentials are small; less than this and a journal write may fail. */
    static final long STATE_DIR_MINIMUM = 64 * MIB;

    private HostChecks() {
    }

    /**
     * @param minimum below it: fail (the runner's own guard, for the Victoria home), or warn when {@code failBelow} is false
     */
    static Check disk(String what, Path path, long minimum, boolean failBelow) {
        String name = "disk " + what;
        if (path == null) {
            return Check.warn(GROUP, name, "the engine did not say where it keeps " + what, "see engine/info");
        }
        long free;
        try {
            free = DiskSpaceGuard.FreeSpace.usable().of(path);
        } catch (IOException e) {
            return Check.warn(GROUP, name, "free space in " + path + " cannot be measured: " + e.getMessage(),
                    "make " + path + " reachable by the runner's user");
        }
        String said = free / MIB + " MiB free in " + path;
        if (free < minimum) {
            String fix = "free space there (victoria-runner cleanup, " + "podman image prune) or lower the minimum";
            return failBelow ? Check.fail(GROUP, name, said + ", below " + minimum / MIB + " MiB", fix)
                    : Check.warn(GROUP, name, said + ", below " + minimum / MIB + " MiB", fix);
        }
        return Check.ok(GROUP, name, said);
    }

    /** The charset prompts reach the engine's command line in: anything but UTF-8 mangles most of the world's text. */
    static Check locale(Charset charset) {
        if (charset.equals(StandardCharsets.UTF_8)) {
            return Check.ok(GROUP, "locale", "UTF-8 (" + charset + ")");
        }
        return Check.fail(GROUP, "locale", "the charset is " + charset + ", not UTF-8: prompts with other characters fail",
                "run the runner with LC_ALL=C.UTF-8 (the package's unit sets it)");
    }

    /** The unit's state, from {@code systemctl show}; a failed or stopped service is said with where to look. */
    static Check service(List<String> systemctl) {
        Map<String, String> properties = Systemctl.show(systemctl, "LoadState", "ActiveState", "SubState", "Result",
                "ExecMainStatus");
        String state = properties.getOrDefault("ActiveState", "?") + " (" + properties.getOrDefault("SubState", "?") + ")";
        if (!"loaded".equals(properties.get("LoadState"))) {
            return Check.warn(GROUP, "service", UNIT + " is " + properties.getOrDefault("LoadState", "unknown"),
                    "install the package, or run the runner your own way");
        }
        return switch (properties.getOrDefault("ActiveState", "")) {
            case "active", "reloading", "activating" -> Check.ok(GROUP, "service", UNIT + " is " + state);
            case "failed" -> Check.fail(GROUP, "service", UNIT + " " + state + ", result " + properties.get("Result")
                    + ", exit status " + properties.get("ExecMainStatus"), "journalctl -u victoria-runner -n 50; fix what "
                    + "it says, then systemctl restart victoria-runner");
            default -> Check.warn(GROUP, "service", UNIT + " is " + state, "systemctl enable --now victoria-runner");
        };
    }
}
