package com.elcanotek.victoria.runner.admission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import com.elcanotek.victoria.runner.container.ContainerException;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.state.Layout;

/**
 * What a task start needs of the host, checked without starting one: the engine answers, the image is here (pulled
 * when it is not: a probe that passed without it would let a start on trial fail for the same reason, again and
 * again), the folders a start writes to (the secrets' env files, the task folders) take a file, and the Victoria home
 * has room.
 */
public final class HostProbe implements HostBreaker.Probe {

    private final ContainerRuntime runtime;
    private final Map<String, String> runnerLabel;
    private final Supplier<String> image;
    private final List<Path> written;
    private final DiskSpaceGuard diskSpace;

    /** @param image the image tasks start from now (a reload may change it) */
    public HostProbe(ContainerRuntime runtime, Map<String, String> runnerLabel, Supplier<String> image, Layout layout,
            DiskSpaceGuard diskSpace) {
        this.runtime = runtime;
        this.runnerLabel = Map.copyOf(runnerLabel);
        this.image = image;
        this.written = List.of(layout.envFiles(), layout.tasks());
        this.diskSpace = diskSpace;
    }

    @Override
    public Optional<String> problem() {
        try {
            runtime.list(runnerLabel);
        } catch (ContainerException e) {
            return Optional.of("the container engine does not answer: " + e.getMessage());
        }
        Optional<String> noImage = imageProblem(image.get());
        if (noImage.isPresent()) {
            return noImage;
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
        return diskSpace.closedBecause();
    }

    private Optional<String> imageProblem(String name) {
        try {
            if (runtime.imageId(name).isEmpty()) {
                runtime.pull(name, line -> {
                    // the probe's pauses grow to minutes: the progress of a pull that works is not worth a line
                });
            }
            return runtime.imageId(name).isPresent() ? Optional.empty()
                    : Optional.of("the image " + name + " is not on this host, even after a pull");
        } catch (ContainerException e) {
            return Optional.of("the image " + name + " is not on this host and cannot be pulled: " + e.getMessage());
        }
    }
}
