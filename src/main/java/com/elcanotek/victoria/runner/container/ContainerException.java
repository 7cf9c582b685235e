package com.elcanotek.victoria.runner.container;

/**
 * A container CLI call failed. The message is the runtime's own error text (what an operator
 * would see running the command by hand), not a wrapper around it.
 */
public class ContainerException extends RuntimeException {

    /** For failures where the CLI gave no exit code: it could not be started, or was killed on timeout. */
    public static final int NO_EXIT_CODE = -1;

    private final int exitCode;

    public ContainerException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public ContainerException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Exit code of the CLI (podman and docker use 125 for their own errors), or {@link #NO_EXIT_CODE}. */
    public int exitCode() {
        return exitCode;
    }
}
