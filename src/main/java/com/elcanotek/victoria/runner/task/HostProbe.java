package com.elcanotek.victoria.runner.task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.elcanotek.victoria.runner.container.ContainerException;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.housekeeping.DiskSpaceGuard;

/**
 * What a task start needs of the host, checked without starting one: the engine answers, the folders a start
 * writes to (the secrets' env files, the task folders) take a file, and the Victoria home has room.
 */
public final class HostProbe implements HostBreaker.Probe {

    private final ContainerRuntime runtime;
    private final Map<String, String> runnerLabel;
    private final List<Path> written;
    private final DiskSpaceGuard diskSpace;

    public HostProbe(ContainerRuntime runtime, Map<String, String> runnerLabel, Path stateDir, Path victoriaHome,
            DiskSpaceGuard diskSpace) {
        this.runtime = runtime;
        this.runnerLabel = Map.copyOf(runnerLabel);
        this.written = List.of(stateDir.resolve("env"), victoriaHome.resolve("tasks"));
        this.diskSpace = diskSpace;
    }

    @Override
    public Optional<String> problem() {
        try {
            runtime.list(runnerLabel);
        } catch (ContainerException e) {
            return Optional.of("the container engine does not answer: " + e.getMessage());
        }
        for (Path dir : written) {
            try {
                Files.createDirectories(dir);
                Path probe = Files.createTempFile(dir, ".probe-", ".tmp");
                try {
                    Files.write(probe, new byte[] { 1 });
                } finally {
                    Files.deleteIfExists(probe);
                }
            } catch (IOException e) {
                return Optional.of("cannot write in " + dir + ": " + e.getMessage());
            }
        }
        return diskSpace.shortage();
    }
}
