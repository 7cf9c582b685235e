package com.elcanotek.victoria.runner.node;

import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import com.elcanotek.victoria.runner.secrets.SecretMasker;

/**
 * The node's credentials of the moment: set by {@link Registration}, read by the orchestrator
 * client for every call, so a renewed key is used from the next call on.
 */
public final class NodeCredentials {

    private final AtomicReference<Credentials> current = new AtomicReference<>();
    private final SecretMasker masker;

    /** @param masker learns each key, so that none shows in what the runner sends or writes */
    public NodeCredentials(SecretMasker masker) {
        this.masker = masker;
    }

    public Optional<Credentials> current() {
        return Optional.ofNullable(current.get());
    }

    /** The key for the next call; {@code null} before registration. */
    public String apiKey() {
        Credentials credentials = current.get();
        return credentials == null ? null : credentials.apiKey();
    }

    void set(Credentials credentials) {
        masker.add(Collections.singletonList(credentials.apiKey()));
        current.set(credentials);
    }

    /** No key for the next call: the one tried was refused. Its value stays masked. */
    void clear() {
        current.set(null);
    }
}
