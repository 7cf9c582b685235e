package com.elcanotek.victoria.runner.node;

/** The orchestrator will not register this node, and trying again will not change that. */
public class RegistrationRefused extends RuntimeException {

    public RegistrationRefused(String message) {
        super(message);
    }
}
