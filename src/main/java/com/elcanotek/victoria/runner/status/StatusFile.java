package com.elcanotek.victoria.runner.status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.state.StateFiles;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code status.json} in the state dir: what only the running daemon knows and {@code status}
 * shows without asking the orchestrator, namely when the orchestrator last answered and which
 * process is the daemon. Written crash-safely, and only when the contact moved on.
 */
public class StatusFile {

    private static final Logger LOG = Logger.getLogger(StatusFile.class);

    /**
     * @param pid the daemon's process id, to tell a running daemon from a stale file
     * @param claimingStopped why the daemon claims no task (a drain, a first image pull, a host that cannot start
     *                        tasks); null while it claims
     * @param limitsNotEnforced which of the task containers' limits the engine does not enforce; null while all hold
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Content(@JsonProperty("last_contact") Instant lastContact, @JsonProperty("pid") long pid,
            @JsonProperty("claiming_stopped") String claimingStopped,
            @JsonProperty("limits_not_enforced") String limitsNotEnforced) {
    }

    private final Path file;
    private final ObjectMapper json;
    private volatile Content written;

    public StatusFile(Path file, ObjectMapper json) {
        this.file = file;
        this.json = json;
    }

    /**
     * Records the orchestrator's last answer, whether claiming is stopped and which limits do not hold; called often, it
     * writes only changes.
     */
    public void record(Optional<Instant> lastContact, Optional<String> claimingStopped, Optional<String> limitsNotEnforced) {
        Content now = new Content(lastContact.orElse(null), ProcessHandle.current().pid(), claimingStopped.orElse(null),
                limitsNotEnforced.orElse(null));
        if (lastContact.isEmpty() && claimingStopped.isEmpty() && limitsNotEnforced.isEmpty() || Objects.equals(now, written)) {
            return;
        }
        try {
            StateFiles.privateDir(file.getParent());
            StateFiles.writeAtomically(file, json.writeValueAsBytes(now));
            written = now;
        } catch (IOException e) {
            LOG.warnf("Cannot write %s: %s", file, e.getMessage());
        }
    }

    public Optional<Content> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), Content.class));
        } catch (IOException e) {
            LOG.warnf("Ignoring unreadable %s: %s", file, e.getMessage());
            return Optional.empty();
        }
    }
}
