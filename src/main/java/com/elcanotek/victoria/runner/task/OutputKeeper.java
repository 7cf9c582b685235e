package com.elcanotek.victoria.runner.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.driver.DriverUnavailable;
import com.elcanotek.victoria.runner.driver.Output;
import com.elcanotek.victoria.runner.state.StateFiles;

/**
 * Keeps what a task's container printed, so that a failure can be explained after the container is gone: its last
 * {@value #KEPT_BYTES} bytes, secrets masked, in the state dir ({@code output/<task id>.log}, 0600), which no container
 * sees and {@code victoria-runner logs} reads, until housekeeping removes it after {@code --retention-days}; and its
 * last lines, at most {@value #TAIL_BYTES} bytes, for the task's error message. Stateless: each call stands alone.
 */
final class OutputKeeper {

    static final int KEPT_BYTES = 1 << 20;
    static final int TAIL_BYTES = 2048;

    private static final Logger LOG = Logger.getLogger(OutputKeeper.class);
    /** Terminal control sequences (colours, cursor moves) and other control characters but tab, in a status message. */
    private static final Pattern CONTROL = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]|\u001B[@-_]|[\\p{Cntrl}&&[^\t]]");
    private static final String CUT = "...";

    private final TaskServices services;

    OutputKeeper(TaskServices services) {
        this.services = services;
    }

    /**
     * Asks the driver for what {@code handle} printed and keeps it for the task.
     *
     * @return its last lines, masked; empty when it printed nothing or could not be had (which is logged)
     */
    Optional<String> keep(String taskId, String handle) {
        Output output;
        try {
            output = services.driver().output(handle, KEPT_BYTES);
        } catch (DriverUnavailable e) {
            LOG.warnf("the container's output could not be kept: %s", e.getMessage());
            return Optional.empty();
        }
        String text = output.whole() ? services.masker().mask(output.text()) : services.masker().maskCut(output.text());
        if (TaskJournal.isUsableId(taskId)) {
            Path file = services.settings().layout().taskOutput(taskId);
            try {
                StateFiles.privateDir(file.getParent());
                StateFiles.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
                LOG.debugf("output kept in %s (%d characters)", file, text.length());
            } catch (IOException e) {
                LOG.warnf("the container's output could not be kept in %s: %s", file, e.getMessage());
            }
        }
        return tail(text, TAIL_BYTES);
    }

    /**
     * The last lines of {@code text} that fit in {@code maxBytes} (UTF-8) as a terminal shows them: blank lines
     * dropped, a line rewritten with carriage returns as its last version, control sequences removed. A last line
     * too long on its own keeps its end, after {@value #CUT}.
     */
    static Optional<String> tail(String text, int maxBytes) {
        // Not String.lines(), which would split at a lone carriage return too.
        List<String> lines = Arrays.stream(text.split("\n")).map(OutputKeeper::shown).filter(line -> !line.isBlank())
                .toList();
        Deque<String> kept = new ArrayDeque<>();
        int used = 0;
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            int size = line.getBytes(StandardCharsets.UTF_8).length + (kept.isEmpty() ? 0 : 1);
            if (used + size <= maxBytes) {
                kept.addFirst(line);
                used += size;
            } else {
                if (kept.isEmpty()) {
                    kept.addFirst(endOf(line, maxBytes - CUT.length()));
                }
                break;
            }
        }
        return kept.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", kept));
    }

    private static String shown(String line) {
        // A line ending in CRLF is one line; a carriage return inside it rewrote what came before.
        String ended = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        String last = ended.substring(ended.lastIndexOf('\r') + 1);
        return CONTROL.matcher(last).replaceAll("").strip();
    }

    /** The longest end of {@code line} of at most {@code maxBytes} bytes, never starting inside a character. */
    private static String endOf(String line, int maxBytes) {
        int start = line.length();
        int bytes = 0;
        while (start > 0) {
            int codePoint = line.codePointBefore(start);
            int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            start -= Character.charCount(codePoint);
        }
        return CUT + line.substring(start);
    }
}
