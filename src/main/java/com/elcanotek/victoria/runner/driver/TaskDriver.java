package com.elcanotek.victoria.runner.driver;

import java.util.List;
import java.util.Optional;

/**
 * All that the task code knows of how a task's agent runs: today a podman or docker container
 * ({@code container.ContainerSupervisor}); another backend, Kubernetes for instance, would go behind this too.
 * An instance is addressed by the handle its start returned, never by a name a later instance of the same task
 * could take over.
 */
public interface TaskDriver {

    /**
     * Starts the agent of a task, detached: it outlives the runner.
     *
     * @return the handle of this one instance
     * @throws StartFailed when it could not start, naming why
     */
    String start(Launch launch);

    /**
     * Blocks until the instance has exited.
     *
     * @throws InstanceGone when it will never give an exit code (removed, or never ran to completion)
     * @throws DriverUnavailable when the backend cannot be asked now
     * @throws InterruptedException when the waiting thread is interrupted; the instance runs on
     */
    Exit awaitExit(String handle) throws InterruptedException;

    /**
     * Asks the agent to end, and kills it after the driver's grace period.
     *
     * @throws DriverUnavailable when the backend cannot be asked now
     */
    void stop(String handle);

    /**
     * What the instance printed so far, its last {@code maxBytes} bytes at most: all there is of its output once it is
     * removed, so the task code asks before removing it.
     *
     * @throws DriverUnavailable when the backend cannot be asked now, or does not answer in time
     */
    Output output(String handle, int maxBytes);

    /**
     * Removes the instance and what the backend keeps of it; one that does not exist is no error.
     *
     * @throws DriverUnavailable when the backend cannot be asked now
     */
    void remove(String handle);

    /**
     * The task's instance, in any state, as this runner's label finds it.
     *
     * @throws DriverUnavailable when the backend cannot be asked now
     */
    Optional<Instance> find(String taskId);

    /**
     * Every instance this runner started, in any state.
     *
     * @throws DriverUnavailable when the backend cannot be asked now
     */
    List<Instance> all();

    /** The build the instance runs (an image id, {@code sha256:...}); empty when the backend does not tell. */
    Optional<String> image(String handle);
}
