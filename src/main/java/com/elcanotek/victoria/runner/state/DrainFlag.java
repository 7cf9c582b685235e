package com.elcanotek.victoria.runner.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code <state>/drain}: the operator asked this runner to claim nothing new (for maintenance: a reboot, an engine
 * upgrade). A file, so that {@code victoria-runner drain} talks to the running daemon through the state dir
 * (no port), and so that a drained runner stays drained across restarts until {@code resume}.
 */
public final class DrainFlag {

    private final Path file;

    public DrainFlag(Path file) {
        this.file = file;
    }

    /** Sets the flag (kept when already set). @return false when it was set already */
    public boolean set(Instant now) {
        if (Files.exists(file)) {
            return false;
        }
        try {
            StateFiles.privateDir(file.getParent());
            StateFiles.writeAtomically(file, (now + "\n").getBytes(StandardCharsets.US_ASCII));
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** @return false when it was not set */
    public boolean clear() {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }

    /** Since when the runner drains; empty when it claims. */
    public Optional<String> since() {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IOException absent) {
            return Optional.empty();
        }
    }
}
