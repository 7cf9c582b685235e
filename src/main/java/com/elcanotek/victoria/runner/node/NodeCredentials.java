package com.elcanotek.victoria.runner.node;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's credentials of the moment: set by {@link Registration}, read by the orchestrator
 * client for every call, so a renewed key is used from the next call on.
 */
public final class NodeCredentials {

    private final AtomicReference<Credentials> current = new AtomicReference<>();

    public Optional<Credentials> current() {
        return Optional.ofNullable(current.get());
    }

    /** The key for the next call; {@code null} before registration. */
    public String apiKey() {
        Credentials credentials = current.get();
        return credentials == null ? null : credentials.apiKey();
    }

    void set(Credentials credentials) {
        current.set(credentials);
    }
}
