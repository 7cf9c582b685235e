package com.elcanotek.victoria.runner.state;

import java.nio.file.Path;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;

/**
 * Where the runner keeps things on the host: the one place a path under the state dir or the Victoria home is
 * built, so that the daemon, the operator's commands and the containers' mounts can never disagree on one.
 *
 * <p>The state dir holds what only the runner may read (the node key, the journal, the containers' env files); the
 * Victoria home is the operator's workspace, which containers see.
 */
public record Layout(Path stateDir, Path victoriaHome) {

    public Layout {
        stateDir = stateDir.toAbsolutePath().normalize();
        victoriaHome = victoriaHome.toAbsolutePath().normalize();
    }

    /** The node id and key (0600). */
    public Path credentials() {
        return stateDir.resolve("credentials.json");
    }

    /** One file per held task. */
    public Path journal() {
        return stateDir.resolve("journal");
    }

    /** Env files (0600) holding a container's secrets while the container is being created. */
    public Path envFiles() {
        return stateDir.resolve("env");
    }

    /** The fcntl lock that makes one runner per state dir. */
    public Path lock() {
        return stateDir.resolve("runner.lock");
    }

    /** The operator's drain request. */
    public Path drainFlag() {
        return stateDir.resolve("drain");
    }

    /** What the daemon tells {@code status}. */
    public Path statusFile() {
        return stateDir.resolve("status.json");
    }

    /** The engine variables the daemon runs with, for operator commands that ask the engine as its user. */
    public Path engineEnvironment() {
        return stateDir.resolve("engine-environment");
    }

    /**
     * The runner's trusted authorities as one bundle, which task containers mount read-only ({@code --ca-to-containers}):
     * no secret, world-readable.
     */
    public Path caBundle() {
        return stateDir.resolve("ca-bundle.pem");
    }

    /**
     * What the tasks' containers printed, kept after they are removed (0600 files in a 0700 folder): no container
     * sees it, and {@code logs} reads it.
     */
    public Path outputs() {
        return stateDir.resolve("output");
    }

    /** The kept output of one task, by its whole id. */
    public Path taskOutput(String taskId) {
        return outputs().resolve(taskId + ".log");
    }

    /** Where each task gets a folder of its own. */
    public Path tasks() {
        return victoriaHome.resolve("tasks");
    }

    /** The folder of the Victoria home the host probe's container mounts: its own, which no task uses. */
    public Path probeDir() {
        return tasks().resolve(".host-probe");
    }

    /** {@code tasks/<id8>}: a task's files and its agent's session. */
    public Path taskFolder(String taskId) {
        return tasks().resolve(TaskAssignment.shortId(taskId));
    }

    /** The task's downloaded, verified files. */
    public Path taskFiles(String taskId) {
        return taskFolder(taskId).resolve("files");
    }

    /**
     * Mounted over the agent's {@code .crush} for this task alone: every container shares the Victoria home, so
     * without it concurrent and successive agents would write into one Crush database, and the session submitted for
     * a task could be another task's.
     */
    public Path sessionDir(String taskId) {
        return taskFolder(taskId).resolve(".crush");
    }
}
