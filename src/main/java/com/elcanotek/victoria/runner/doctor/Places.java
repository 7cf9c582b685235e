package com.elcanotek.victoria.runner.doctor;

import java.nio.file.Path;
import java.util.List;

import com.elcanotek.victoria.runner.container.PathLookup;

/** Where the host keeps what the engine checks read; tests give their own. */
public record Places(Path subuid, Path subgid, Path selinuxEnforce, List<Path> cdiDirs, PathLookup path) {

    public Places {
        cdiDirs = List.copyOf(cdiDirs);
    }

    public static Places ofHost() {
        return new Places(Path.of("/etc/subuid"), Path.of("/etc/subgid"), Path.of("/sys/fs/selinux/enforce"),
                List.of(Path.of("/etc/cdi"), Path.of("/var/run/cdi")), PathLookup.fromEnvironment());
    }
}
