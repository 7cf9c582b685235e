package com.elcanotek.victoria.runner.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.orchestrator.Backoff;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorApi;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.Refusal;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.state.ConfinedFolder;
import com.elcanotek.victoria.runner.state.Layout;

/**
 * Downloads a task's files into {@code <home>/tasks/<id8>/files/}: each streamed through SHA-256
 * into a temporary file in that folder and renamed into place only once it is whole and verified, never through a
 * symbolic link (see {@link ConfinedFolder}).
 * A download cut short by the network or the server (reset, 5xx) resumes with a Range request from
 * where it stopped, also after a restart of the runner. Any other problem fails the task before its
 * container starts, naming the file and the reason.
 */
public class TaskFiles {

    private static final Logger LOG = Logger.getLogger(TaskFiles.class);
    private static final int BUFFER = 64 * 1024;
    /** Tries at one file when the network or the server cuts it short, each resuming where the last stopped. */
    static final int DOWNLOAD_TRIES = 5;
    private static final Backoff.Policy RETRY = new Backoff.Policy(Duration.ofMillis(500), Duration.ofSeconds(8));

    private final Orchestrator orchestrator;
    private final long maxFileSize;
    private final Duration stallTimeout;
    private final ScheduledExecutorService watchdog;
    private final RunnerMetrics metrics;

    /** @param watchdog checks running downloads for progress; shared, never shut down here */
    public TaskFiles(Orchestrator orchestrator, long maxFileSize, Duration stallTimeout, ScheduledExecutorService watchdog,
            RunnerMetrics metrics) {
        this.orchestrator = orchestrator;
        this.maxFileSize = maxFileSize;
        this.stallTimeout = stallTimeout;
        this.watchdog = watchdog;
        this.metrics = metrics;
    }

    /**
     * Downloads the task's files into its folder ({@link Layout#taskFiles}), all of them before {@code deadlineNanos}
     * (monotonic). No symbolic link under the Victoria home is followed on the way (an earlier run's agent could have
     * planted one in the task's folder): a link where a folder or a file is written fails the task.
     *
     * @return the folder holding the verified files
     */
    public Path download(TaskAssignment task, Layout layout, long deadlineNanos) {
        List<String> names = task.files();
        List<String> checksums = checkedChecksums(task);
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            String problem = FileNames.problem(name);
            if (problem != null) {
                throw new TaskFailure("file '" + FileNames.printable(name) + "' refused: " + problem);
            }
            String base = FileNames.baseName(name);
            if (!seen.add(base)) {
                throw new TaskFailure("file '" + FileNames.printable(name) + "' refused: another of the task's files"
                        + " is kept as '" + FileNames.printable(base) + "' too");
            }
        }
        Path target = layout.taskFiles(task.taskId());
        ConfinedFolder folder;
        try {
            folder = ConfinedFolder.open(layout.victoriaHome(), target, true);
        } catch (IOException e) {
            throw new TaskFailure("cannot create the task file folder " + target + ": " + e.getMessage(), e);
        }
        try (folder) {
            for (int i = 0; i < names.size(); i++) {
                fetch(task, folder, names.get(i), checksums.get(i).toLowerCase(Locale.ROOT), deadlineNanos);
            }
        } catch (IOException e) {
            throw new TaskFailure("cannot close the task file folder " + target + ": " + e.getMessage(), e);
        }
        return target;
    }

    private static List<String> checkedChecksums(TaskAssignment task) {
        List<String> checksums = task.fileChecksums();
        if (task.files().isEmpty()) {
            return List.of();
        }
        if (checksums == null) {
            throw new TaskFailure("the task lists " + task.files().size() + " file(s) but no file_checksums");
        }
        if (checksums.size() != task.files().size()) {
            throw new TaskFailure("the task lists " + task.files().size() + " file(s) but " + checksums.size()
                    + " checksum(s)");
        }
        return checksums.stream().map(c -> c == null ? "" : c.strip()).toList();
    }

    /** Asks for the file by the name the task lists, the server's, and keeps it under its base name. */
    private void fetch(TaskAssignment task, ConfinedFolder folder, String name, String expected, long deadlineNanos) {
        String target = FileNames.baseName(name);
        if (!target.equals(name)) {
            LOG.infof("file '%s' is kept as '%s' in the task's folder (directories stripped)", FileNames.printable(name),
                    target);
        }
        String partial = partName(task, name);
        boolean kept = false;
        Backoff backoff = new Backoff(RETRY);
        try {
            for (int attempt = 1;; attempt++) {
                long have = folder.sizeOf(partial);
                try {
                    fetchFrom(name, expected, folder, partial, target, have, deadlineNanos);
                    return;
                } catch (Interrupted e) {
                    if (attempt >= DOWNLOAD_TRIES) {
                        throw new TaskFailure("file '" + name + "' could not be downloaded after " + attempt + " tries: "
                                + e.getMessage(), e);
                    }
                    long resumeAt = folder.sizeOf(partial);
                    // The cause, not the wrapper: a 503's Retry-After is honoured.
                    long pause = backoff.nextDelayInMillis(e.getCause());
                    LOG.warnf("file '%s' download interrupted (%s); resuming from byte %d in %d ms", name, e.getMessage(),
                            resumeAt, pause);
                    Thread.sleep(pause);
                }
            }
        } catch (InterruptedException e) {
            // The runner is stopping: what was downloaded stays for the next start to resume from.
            kept = true;
            Thread.currentThread().interrupt();
            throw new TaskFailure("file '" + name + "' download interrupted by the runner's shutdown", e);
        } catch (IOException e) {
            throw new TaskFailure("file '" + name + "' could not be downloaded: " + e.getMessage(), e);
        } finally {
            if (!kept) {
                try {
                    folder.delete(partial);
                } catch (IOException ignored) {
                    // Best effort: a leftover .part file holds no secret and is replaced next time.
                }
            }
        }
    }

    /** Named after the task and the file alone: a runner restarted mid-download resumes from what it had. */
    static String partName(TaskAssignment task, String name) {
        return "." + task.shortId() + "-" + Math.abs(name.hashCode()) + ".part";
    }

    /** A download cut short by the network or the server, worth resuming. */
    private static final class Interrupted extends Exception {
        Interrupted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void fetchFrom(String name, String expected, ConfinedFolder folder, String partial, String target, long have,
            long deadlineNanos) throws IOException, Interrupted {
        try (Response response = orchestrator.file(name, have)) {
            boolean resumed = have > 0 && response.getStatus() == 206;
            String header = response.getHeaderString(OrchestratorApi.CHECKSUM_HEADER);
            String wanted = !expected.isEmpty() ? expected : header == null ? "" : header.strip().toLowerCase(Locale.ROOT);
            String actual = copy(response, folder, partial, name, resumed, deadlineNanos);
            if (wanted.isEmpty()) {
                LOG.warnf("file '%s' has no checksum to check against; not verified (sha256 %s)", name, actual);
            } else if (!wanted.equals(actual)) {
                if (resumed) {
                    // What an earlier run left may not be what it received: once more, whole.
                    folder.delete(partial);
                    throw new Interrupted("checksum mismatch after resuming; downloading it whole again", null);
                }
                throw new TaskFailure("file '" + name + "' checksum mismatch: expected " + wanted + ", got " + actual);
            }
            long size = folder.sizeOf(partial);
            folder.rename(partial, target);
            metrics.downloaded(size);
            LOG.debugf("file '%s' downloaded and verified", name);
        } catch (OrchestratorException e) {
            if (e.status() == 416) {
                folder.delete(partial);
                throw new Interrupted("the part already downloaded is not a part of the file; downloading it whole again", e);
            }
            if (e.refusal() == Refusal.LATER) {
                throw new Interrupted(e.getMessage(), e);
            }
            throw new TaskFailure("file '" + name + "' could not be downloaded: " + e.getMessage(), e);
        } catch (ConfinedFolder.LinkRefused e) {
            throw e;
        } catch (IOException e) {
            // The body was cut short (connection reset, server gone): the bytes received so far are kept.
            throw new Interrupted(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
        }
    }

    /**
     * Streams the body into {@code partial} (after what it holds when {@code append}), enforcing the size limit and
     * the stall timeout. @return the SHA-256 of the whole file
     */
    private String copy(Response response, ConfinedFolder folder, String partial, String name, boolean append,
            long deadlineNanos) throws IOException {
        MessageDigest sha256 = sha256();
        long start = 0;
        if (append) {
            try (InputStream earlier = folder.read(partial)) {
                byte[] buffer = new byte[BUFFER];
                for (int read; (read = earlier.read(buffer)) != -1;) {
                    sha256.update(buffer, 0, read);
                    start += read;
                }
            }
        }
        AtomicLong progress = new AtomicLong();
        long[] lastSeen = { -1 };
        boolean[] stalled = { false };
        Thread downloader = Thread.currentThread();
        try (InputStream in = response.readEntity(InputStream.class); OutputStream out = folder.write(partial, append)) {
            ScheduledFuture<?> check = watchdog.scheduleAtFixedRate(() -> {
                long now = progress.get();
                if (now == lastSeen[0] && !stalled[0]) {
                    stalled[0] = true;
                    // Closing alone leaves a blocked read waiting on the client's buffer; the interrupt ends it.
                    response.close();
                    downloader.interrupt();
                }
                lastSeen[0] = now;
            }, stallTimeout.toMillis(), stallTimeout.toMillis(), TimeUnit.MILLISECONDS);
            try {
                byte[] buffer = new byte[BUFFER];
                long total = start;
                for (int read; (read = in.read(buffer)) != -1;) {
                    total += read;
                    if (total > maxFileSize) {
                        throw new TaskFailure("file '" + name + "' is larger than the limit of " + maxFileSize + " bytes");
                    }
                    if (System.nanoTime() - deadlineNanos >= 0) {
                        throw new TaskFailure("file '" + name + "' not downloaded within the task's start budget ("
                                + total + " bytes so far)");
                    }
                    sha256.update(buffer, 0, read);
                    out.write(buffer, 0, read);
                    progress.set(total);
                }
            } catch (IOException | RuntimeException e) {
                if (stalled[0]) {
                    Thread.interrupted();
                    throw new TaskFailure("file '" + name + "' download stalled for more than "
                            + String.format(java.util.Locale.ROOT, "%.1f s", stallTimeout.toMillis() / 1000.0), e);
                }
                throw e;
            } finally {
                check.cancel(false);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
