package com.elcanotek.victoria.runner.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorApi;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;

/**
 * Downloads a task's files into {@code <home>/tasks/<id8>/files/}: each streamed through SHA-256
 * into a temporary file in that folder and renamed into place only once it is whole and verified.
 * Any problem fails the task before its container starts, naming the file and the reason.
 */
public class TaskFiles {

    private static final Logger LOG = Logger.getLogger(TaskFiles.class);
    private static final int BUFFER = 64 * 1024;

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

    /** The task's file folder under a Victoria home, as the host sees it. */
    public static Path folder(Path victoriaHome, TaskAssignment task) {
        return victoriaHome.resolve("tasks").resolve(task.shortId()).resolve("files");
    }

    /** @return the folder holding the verified files */
    public Path download(TaskAssignment task, Path victoriaHome) {
        List<String> names = task.files();
        List<String> checksums = checkedChecksums(task);
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            String problem = FileNames.problem(name);
            if (problem != null) {
                throw new TaskFailure("file '" + FileNames.printable(name) + "' refused: " + problem);
            }
            if (!seen.add(name)) {
                throw new TaskFailure("file '" + name + "' refused: listed twice");
            }
        }
        Path folder = folder(victoriaHome, task);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new TaskFailure("cannot create the task file folder " + folder + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < names.size(); i++) {
            fetch(task, folder, names.get(i), checksums.get(i).toLowerCase(Locale.ROOT));
        }
        return folder;
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

    private void fetch(TaskAssignment task, Path folder, String name, String expected) {
        Path target = folder.resolve(name);
        if (!target.normalize().getParent().equals(folder.normalize())) {
            throw new TaskFailure("file '" + name + "' refused: it would land outside the task folder");
        }
        Path partial = folder.resolve("." + task.shortId() + "-" + Math.abs(name.hashCode()) + ".part");
        try (Response response = orchestrator.file(name)) {
            String header = response.getHeaderString(OrchestratorApi.CHECKSUM_HEADER);
            String wanted = !expected.isEmpty() ? expected : header == null ? "" : header.strip().toLowerCase(Locale.ROOT);
            String actual = copy(response, partial, name);
            if (wanted.isEmpty()) {
                LOG.warnf("file '%s' has no checksum to check against; not verified (sha256 %s)", name, actual);
            } else if (!wanted.equals(actual)) {
                throw new TaskFailure("file '" + name + "' checksum mismatch: expected " + wanted + ", got " + actual);
            }
            move(partial, target);
            metrics.downloaded(Files.size(target));
            LOG.debugf("file '%s' downloaded and verified", name);
        } catch (OrchestratorException e) {
            throw new TaskFailure("file '" + name + "' could not be downloaded: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TaskFailure("file '" + name + "' could not be downloaded: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // Best effort: a leftover .part file holds no secret and is overwritten next time.
            }
        }
    }

    /** Streams the body into {@code partial}, enforcing the size limit and the stall timeout. @return its SHA-256 */
    private String copy(Response response, Path partial, String name) throws IOException {
        MessageDigest sha256 = sha256();
        AtomicLong progress = new AtomicLong();
        long[] lastSeen = { -1 };
        boolean[] stalled = { false };
        Thread downloader = Thread.currentThread();
        try (InputStream in = response.readEntity(InputStream.class); OutputStream out = Files.newOutputStream(partial)) {
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
                long total = 0;
                for (int read; (read = in.read(buffer)) != -1;) {
                    total += read;
                    if (total > maxFileSize) {
                        throw new TaskFailure("file '" + name + "' is larger than the limit of " + maxFileSize + " bytes");
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

    private static void move(Path partial, Path target) throws IOException {
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
