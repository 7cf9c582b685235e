package com.elcanotek.victoria.runner.container;

/**
 * The engine answered, and the container will never give an exit code: it was removed, or it exists
 * but never ran to completion. Unlike an engine failure, asking again changes nothing.
 */
public class ContainerGone extends ContainerException {

    public ContainerGone(String message) {
        super(message, NO_EXIT_CODE);
    }
}
