package com.elcanotek.victoria.runner.admission;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.container.ContainerException;
import com.elcanotek.victoria.runner.container.ContainerInfo;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.ContainerSpec;
import com.elcanotek.victoria.runner.state.ConfinedFolder;
import com.elcanotek.victoria.runner.state.Layout;

/**
 * What a task start needs of the host: the engine answers, the image is here (pulled when it is not), the folders a
 * start writes to (the secrets' env files, the task folders) take a file, the Victoria home has room, and, last, a
 * container starts with the tasks' own options (see {@link ContainerSpec#forProbe}). A probe that passed without
 * what a start needs would let a start on trial fail for the same reason, again and again: an engine that answers
 * {@code ps}, {@code version} and {@code images} can still refuse every {@code run} (an OCI runtime error, a cgroup
 * set-up that refuses the limits: exits 125 and 126).
 *
 * <p>Its folders are reached as every folder the runner writes to is ({@link ConfinedFolder}): the task folders are in
 * the Victoria home, which containers write to, and a link planted there must never have the probe write elsewhere.
 */
public final class HostProbe implements HostBreaker.Probe {

    private static final Logger LOG = Logger.getLogger(HostProbe.class);

    private final ContainerRuntime runtime;
    private final Map<String, String> runnerLabel;
    private final Supplier<ContainerSpec> container;
    private final List<Place> written;
    private final Place probeDir;
    private final DiskSpaceGuard diskSpace;

    /** @param container the probe's container as tasks start now (a reload may change their image and options) */
    public HostProbe(ContainerRuntime runtime, Map<String, String> runnerLabel, Supplier<ContainerSpec> container,
            Layout layout, DiskSpaceGuard diskSpace) {
        this.runtime = runtime;
        this.runnerLabel = Map.copyOf(runnerLabel);
        this.container = container;
        this.written = List.of(new Place(layout.stateDir(), layout.envFiles()), new Place(layout.victoriaHome(), layout.tasks()));
        this.probeDir = new Place(layout.victoriaHome(), layout.probeDir());
        this.diskSpace = diskSpace;
    }

    @Override
    public Optional<String> problem() {
        try {
            runtime.list(runnerLabel);
        } catch (ContainerException e) {
            return Optional.of("the container engine does not answer: " + e.getMessage());
        }
        ContainerSpec spec = container.get();
        Optional<String> noImage = imageProblem(spec.image());
        if (noImage.isPresent()) {
            return noImage;
        }
        for (Place place : written) {
            try (ConfinedFolder folder = place.open()) {
                String probe = ".probe-" + UUID.randomUUID() + ".tmp";
                try (OutputStream out = folder.write(probe, false)) {
                    out.write(1);
                } finally {
                    folder.delete(probe);
                }
            } catch (IOException e) {
                return Optional.of("cannot write in " + place.folder() + ": " + e.getMessage());
            }
        }
        return diskSpace.closedBecause().or(() -> startProblem(spec));
    }

    /** Starts the probe's container and removes it: whether it started is all it tells. */
    private Optional<String> startProblem(ContainerSpec spec) {
        try {
            probeDir.open().close();
            runtime.start(spec);
            return Optional.empty();
        } catch (ContainerException e) {
            return Optional.of("a container with the tasks' options cannot start: " + e.getMessage());
        } catch (IOException e) {
            return Optional.of("cannot create the probe's folder: " + e.getMessage());
        } finally {
            removeProbeContainers(spec);
        }
    }

    /**
     * This one, also when its start failed (the engine keeps a container whose start failed), and any a runner killed
     * while probing left behind.
     */
    private void removeProbeContainers(ContainerSpec spec) {
        try {
            for (ContainerInfo left : runtime.list(spec.labels())) {
                runtime.remove(left.id());
            }
        } catch (ContainerException e) {
            LOG.warnf("Cannot remove the host probe's container (the next probe tries again): %s", e.getMessage());
        }
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

    /** A folder, made when missing, under the root it is reached from. */
    private record Place(Path root, Path folder) {

        ConfinedFolder open() throws IOException {
            return ConfinedFolder.open(root, folder, true);
        }
    }
}
