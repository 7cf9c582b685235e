package com.elcanotek.victoria.runner.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

    /**
     * Since when the runner drains; empty when it claims. A flag that is there but cannot be read (a root shell's file
     * the daemon's user may not open) still drains: it was set by someone who meant it.
     */
    public Optional<String> since() {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("an unknown time (" + file + " cannot be read: " + e.getClass().getSimpleName()
                    + "; 'victoria-runner resume' as its owner or root ends the drain)");
        }
    }
}
