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

import com.elcanotek.victoria.runner.admission.DiskSpaceGuard;
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

    /**
     * What a task may download.
     *
     * @param maxFileSize      bytes of one file ({@code --max-file-size})
     * @param maxTaskFilesSize bytes of all of a task's files together ({@code --max-task-files-size})
     * @param minFreeDisk      bytes that must stay free in the Victoria home ({@code --min-free-disk}); 0: none
     */
    public record Limits(long maxFileSize, long maxTaskFilesSize, long minFreeDisk) {
    }

    private final Orchestrator orchestrator;
    private final Limits limits;
    private final DiskRoom room;
    private final Duration stallTimeout;
    private final ScheduledExecutorService watchdog;
    private final RunnerMetrics metrics;

    /**
     * @param freeSpace measures the free disk where the files go
     * @param watchdog checks running downloads for progress; shared, never shut down here
     */
    public TaskFiles(Orchestrator orchestrator, Limits limits, DiskSpaceGuard.FreeSpace freeSpace, Duration stallTimeout,
            ScheduledExecutorService watchdog, RunnerMetrics metrics) {
        this.orchestrator = orchestrator;
        this.limits = limits;
        this.room = new DiskRoom(freeSpace, limits.minFreeDisk());
        this.stallTimeout = stallTimeout;
        this.watchdog = watchdog;
        this.metrics = metrics;
    }

    /**
     * Downloads the task's files into its folder ({@link Layout#taskFiles}), all of them before {@code deadlineNanos}
     * (monotonic). No symbolic link under the Victoria home is followed on the way (an earlier run's agent could have
     * planted one in the task's folder): a link where a folder or a file is written fails the task. Each file is held
     * to {@code --max-file-size}, all of them together to {@code --max-task-files-size}, and to the free disk
     * ({@link DiskRoom}): by the length its answer declares before any of its bytes are written, and by what arrives.
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
            long done = 0;
            for (int i = 0; i < names.size(); i++) {
                done += fetch(task, folder, names.get(i), checksums.get(i).toLowerCase(Locale.ROOT), done, deadlineNanos);
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

    /**
     * Asks for the file by the name the task lists, the server's, and keeps it under its base name.
     *
     * @param done the bytes of the task's files before this one
     * @return its size
     */
    private long fetch(TaskAssignment task, ConfinedFolder folder, String name, String expected, long done,
            long deadlineNanos) {
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
                    return fetchFrom(name, expected, folder, partial, target, have, done, deadlineNanos);
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

    /** @return the file's size */
    private long fetchFrom(String name, String expected, ConfinedFolder folder, String partial, String target, long have,
            long done, long deadlineNanos) throws IOException, Interrupted {
        try (Response response = orchestrator.file(name, have)) {
            boolean resumed = have > 0 && response.getStatus() == 206;
            long start = resumed ? have : 0;
            long declared = response.getLength();
            if (declared >= 0) {
                checkLimits(name, start + declared, done);
            }
            String header = response.getHeaderString(OrchestratorApi.CHECKSUM_HEADER);
            String wanted = !expected.isEmpty() ? expected : header == null ? "" : header.strip().toLowerCase(Locale.ROOT);
            String actual;
            try (DiskRoom.Claim claim = room.claim(name, declared, folder.path())) {
                actual = copy(response, folder, partial, name, start, done, claim, deadlineNanos);
            }
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
            return size;
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
     * A file of {@code size} bytes after {@code done} bytes of the task's files before it.
     *
     * @throws TaskFailure when it passes {@code --max-file-size} or, with those before it, {@code --max-task-files-size}
     */
    private void checkLimits(String name, long size, long done) {
        if (size > limits.maxFileSize()) {
            throw new TaskFailure("file '" + name + "' is larger than the limit of " + limits.maxFileSize()
                    + " bytes (--max-file-size)");
        }
        if (done + size > limits.maxTaskFilesSize()) {
            throw new TaskFailure("the task's files are larger than the limit of " + limits.maxTaskFilesSize()
                    + " bytes together (--max-task-files-size): file '" + name + "' has " + size + " bytes after " + done
                    + " bytes of the files before it");
        }
    }

    /**
     * Streams the body into {@code partial} (after the {@code start} bytes it holds, when resumed), enforcing the
     * limits, the room on disk and the stall timeout. @return the SHA-256 of the whole file
     */
    private String copy(Response response, ConfinedFolder folder, String partial, String name, long start, long done,
            DiskRoom.Claim claim, long deadlineNanos) throws IOException {
        MessageDigest sha256 = sha256();
        boolean append = start > 0;
        if (append) {
            long hashed = 0;
            try (InputStream earlier = folder.read(partial)) {
                byte[] buffer = new byte[BUFFER];
                for (int read; (read = earlier.read(buffer)) != -1;) {
                    sha256.update(buffer, 0, read);
                    hashed += read;
                }
            }
            if (hashed != start) {
                throw new IOException("the partial file changed while it was read (" + hashed + " bytes, not " + start + ")");
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
                    checkLimits(name, total, done);
                    claim.wrote(read);
                    if (StepBounds.past(deadlineNanos)) {
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
