package com.elcanotek.victoria.runner.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.elcanotek.victoria.runner.doctor.Doctor.RunnerFile;
import com.elcanotek.victoria.runner.state.Layout;
import com.elcanotek.victoria.runner.state.StatePlacement;

/**
 * The runner's own files: who owns them, who may read and change them, and where the state dir lies. A file that
 * holds a secret (the registration token, the node key, a proxy's or a registry's credentials, the agents' keys) must
 * be readable by its owner and group alone; no file of the runner may be writable by others, who could then point it
 * elsewhere; the state dir must be private and outside every folder task containers mount.
 */
final class ConfigurationChecks {

    static final String GROUP = "configuration";

    private final String user;

    /** @param user who the checks run as: the runner's files should be this user's or root's */
    ConfigurationChecks(String user) {
        this.user = user;
    }

    List<Check> files(List<RunnerFile> files) {
        List<Check> checks = new ArrayList<>();
        for (RunnerFile file : files) {
            checks.add(file(file));
        }
        return checks;
    }

    Check file(RunnerFile file) {
        String name = "file " + file.path();
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file.path(), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Check.fail(GROUP, name, file.role() + " does not exist", "create it, or correct the option that names it");
        } catch (IOException | UnsupportedOperationException e) {
            return Check.fail(GROUP, name, file.role() + " cannot be examined: " + e.getMessage(),
                    "make it readable by " + user);
        }
        Set<PosixFilePermission> mode = attributes.permissions();
        String shown = file.role() + ", " + PosixFilePermissions.toString(mode) + " " + attributes.owner().getName() + ":"
                + attributes.group().getName();
        if (mode.contains(PosixFilePermission.OTHERS_WRITE) || mode.contains(PosixFilePermission.GROUP_WRITE)
                && !attributes.isDirectory()) {
            return Check.fail(GROUP, name, shown + ": other users can change it", "chmod go-w " + file.path());
        }
        if (file.secret() && mode.contains(PosixFilePermission.OTHERS_READ)) {
            return Check.fail(GROUP, name, shown + ": it holds a secret every user can read", "chmod o-rwx " + file.path());
        }
        String owner = attributes.owner().getName();
        if (!owner.equals("root") && !owner.equals(user)) {
            return Check.warn(GROUP, name, shown + ": owned by " + owner + ", who can change what the runner does",
                    "chown root " + file.path() + " (or " + user + ")");
        }
        if (!Files.isReadable(file.path())) {
            return Check.fail(GROUP, name, shown + ": " + user + " cannot read it", "chgrp " + user + " " + file.path()
                    + " && chmod g+r " + file.path());
        }
        return Check.ok(GROUP, name, shown);
    }

    /** The state dir: private, and outside every folder task containers mount. */
    Check stateDir(Path stateDir, Path victoriaHome) {
        String name = "state dir";
        var placement = StatePlacement.problem(new Layout(stateDir, victoriaHome));
        if (placement.isPresent()) {
            return Check.fail(GROUP, name, placement.get(), "set --state-dir outside " + victoriaHome
                    + " and move credentials.json and journal/ there");
        }
        if (!Files.isDirectory(stateDir)) {
            return Check.ok(GROUP, name, stateDir + " does not exist yet: the first start creates it (0700)");
        }
        try {
            PosixFileAttributes attributes = Files.readAttributes(stateDir, PosixFileAttributes.class);
            Set<PosixFilePermission> mode = attributes.permissions();
            String shown = stateDir + ", " + PosixFilePermissions.toString(mode) + " " + attributes.owner().getName();
            if (!attributes.owner().getName().equals(user)) {
                return Check.fail(GROUP, name, shown + ": not " + user + "'s, who runs the runner",
                        "chown -R " + user + " " + stateDir);
            }
            if (mode.stream().anyMatch(permission -> permission.name().startsWith("GROUP")
                    || permission.name().startsWith("OTHERS"))) {
                return Check.fail(GROUP, name, shown + ": other users can look inside (the node key is there)",
                        "chmod 700 " + stateDir);
            }
            return Check.ok(GROUP, name, shown + ", outside the folders task containers mount");
        } catch (IOException e) {
            return Check.fail(GROUP, name, stateDir + " cannot be examined: " + e.getMessage(), "make it " + user + "'s");
        }
    }
}
