package com.elcanotek.victoria.runner.status;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.elcanotek.victoria.runner.node.Credentials;
import com.elcanotek.victoria.runner.node.CredentialsStore;
import com.elcanotek.victoria.runner.state.DrainFlag;
import com.elcanotek.victoria.runner.state.Layout;
import com.elcanotek.victoria.runner.task.JournalEntry;
import com.elcanotek.victoria.runner.task.FileTaskJournal;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Builds a {@link StatusReport} from the files a daemon keeps in its state dir; never calls the orchestrator. */
public class StatusReader {

    private final Layout layout;
    private final ObjectMapper json;
    private final Clock clock;

    public StatusReader(Layout layout, ObjectMapper json, Clock clock) {
        this.layout = layout;
        this.json = json;
        this.clock = clock;
    }

    public StatusReport read() {
        Optional<Credentials> node = new CredentialsStore(layout.credentials(), json).load();
        Optional<StatusFile.Content> status = new StatusFile(layout.statusFile(), json).read();
        List<JournalEntry> journal = new FileTaskJournal(layout.journal(), json).all();
        List<StatusReport.Task> tasks = journal.stream()
                .sorted(Comparator.comparing(JournalEntry::claimedAt, Comparator.nullsLast(Comparator.naturalOrder())))
                .map(this::task).toList();
        Long pid = status.map(StatusFile.Content::pid).orElse(null);
        return new StatusReport(
                node.map(Credentials::name).orElse(null),
                node.map(Credentials::nodeId).orElse(null),
                node.map(Credentials::orchestratorUrl).orElse(null),
                node.map(Credentials::registeredAt).orElse(null),
                pid,
                pid != null && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                status.map(StatusFile.Content::lastContact).orElse(null),
                (int) journal.stream().filter(JournalEntry::awaitsAcknowledgement).count(),
                status.map(StatusFile.Content::claimingStopped).orElse(null),
                new DrainFlag(layout.drainFlag()).since().orElse(null),
                status.map(StatusFile.Content::limitsNotEnforced).orElse(null),
                tasks);
    }

    private StatusReport.Task task(JournalEntry entry) {
        long runningFor = entry.claimedAt() == null ? 0 : Duration.between(entry.claimedAt(), clock.instant()).toSeconds();
        return new StatusReport.Task(entry.task().taskId(), entry.stage().name().toLowerCase(Locale.ROOT),
                entry.container(), entry.claimedAt(), runningFor, entry.image());
    }
}
