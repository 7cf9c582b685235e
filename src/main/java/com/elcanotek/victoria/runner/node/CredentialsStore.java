package com.elcanotek.victoria.runner.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.state.StateFiles;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code credentials.json} in the state dir: 0600 in a 0700 directory. */
public class CredentialsStore {

    private static final Logger LOG = Logger.getLogger(CredentialsStore.class);

    private final Path file;
    private final ObjectMapper json;

    public CredentialsStore(Path file, ObjectMapper json) {
        this.file = file;
        this.json = json;
    }

    public Optional<Credentials> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Credentials stored = json.readValue(file.toFile(), Credentials.class);
            if (stored.nodeId() == null || stored.apiKey() == null) {
                LOG.warnf("Ignoring incomplete credentials file %s; registering again", file);
                return Optional.empty();
            }
            return Optional.of(stored);
        } catch (IOException e) {
            // Never echo the content: it may hold a key.
            LOG.warnf("Ignoring unreadable credentials file %s (%s); registering again", file, e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    public void save(Credentials credentials) {
        try {
            StateFiles.privateDir(file.getParent());
            StateFiles.writeAtomically(file, json.writeValueAsBytes(credentials));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store credentials in " + file, e);
        }
    }

    public Path file() {
        return file;
    }
}
