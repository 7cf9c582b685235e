package com.elcanotek.victoria.runner.logs;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

import com.elcanotek.victoria.runner.orchestrator.LogSubmission;
import com.elcanotek.victoria.runner.orchestrator.SessionMessage;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Shrinks a log submission until its JSON body fits a byte budget, as PROTOCOL.md asks: the oldest
 * messages go first, then the newest message's content loses its head (the end of a session says
 * most about how it ended) and is marked {@value #TRUNCATED_MARK}.
 */
public final class LogFitter {

    static final String TRUNCATED_MARK = "[truncated] ";

    private final ObjectMapper mapper;

    /**
     * @param mapper the mapper the body is sent with; sizes are measured with it because its escaping
     *               differs from a plain UTF-8 count (for instance, a character outside the BMP may be
     *               written as two escaped UTF-16 units)
     */
    public LogFitter(ObjectMapper mapper) {
        // Dropping messages adds up their sizes measured one by one, which only holds for compact output.
        if (mapper.isEnabled(SerializationFeature.INDENT_OUTPUT) || mapper.isEnabled(SerializationFeature.WRAP_ROOT_VALUE)) {
            throw new IllegalArgumentException("LogFitter needs a mapper writing compact, unwrapped JSON");
        }
        this.mapper = mapper;
    }

    /** Size in bytes of the JSON body {@code submission} is sent as. */
    public int sizeOf(LogSubmission submission) {
        return bytes(submission);
    }

    /**
     * A submission whose body is at most {@code maxBytes}. When even a truncated newest message cannot
     * fit, the session goes without messages: its metadata is still worth sending, and the protocol
     * forbids dropping the submission.
     */
    public LogSubmission fit(LogSubmission submission, int maxBytes) {
        // Without a session there is nothing that could be shrunk.
        if (submission.session() == null || sizeOf(submission) <= maxBytes) {
            return submission;
        }
        List<SessionMessage> messages = submission.session().messages();
        LogSubmission bare = withMessages(submission, List.of());
        if (messages.isEmpty()) {
            return bare;
        }
        int kept = newestThatFit(messages, maxBytes - sizeOf(bare));
        if (kept > 0) {
            return withMessages(submission, messages.subList(messages.size() - kept, messages.size()));
        }
        return truncateNewest(bare, messages.get(messages.size() - 1), maxBytes);
    }

    /**
     * How many of the newest messages fit in {@code budget} bytes of array content: a compact JSON
     * array adds one comma between elements, so each message is measured once.
     */
    private int newestThatFit(List<SessionMessage> messages, int budget) {
        int used = -1; // the first message kept needs no comma
        int kept = 0;
        for (int i = messages.size() - 1; i >= 0; i--) {
            used += bytes(messages.get(i)) + 1;
            if (used > budget) {
                break;
            }
            kept++;
        }
        return kept;
    }

    /**
     * Keeps the longest tail of the newest message's content that fits. Escaping makes the size of a
     * tail unpredictable from its length, but it never shrinks as the tail grows, so a binary search
     * over the real serialized size finds it; a tail longer than the budget cannot fit, since every
     * character takes at least one byte.
     */
    private LogSubmission truncateNewest(LogSubmission bare, SessionMessage newest, int maxBytes) {
        String content = Objects.requireNonNullElse(newest.content(), "");
        if (sizeOf(withTail(bare, newest, content, 0)) > maxBytes) {
            return bare;
        }
        int low = 0;
        int high = Math.min(content.length(), maxBytes);
        while (low < high) {
            int middle = low + (high - low + 1) / 2;
            if (sizeOf(withTail(bare, newest, content, middle)) <= maxBytes) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return withTail(bare, newest, content, low);
    }

    private static LogSubmission withTail(LogSubmission bare, SessionMessage newest, String content, int length) {
        int start = content.length() - length;
        // Never start on the second half of a surrogate pair: that would send a broken character.
        if (length > 0 && start > 0 && Character.isLowSurrogate(content.charAt(start))
                && Character.isHighSurrogate(content.charAt(start - 1))) {
            start++;
        }
        return withMessages(bare, List.of(newest.withContent(TRUNCATED_MARK + content.substring(start))));
    }

    private static LogSubmission withMessages(LogSubmission submission, List<SessionMessage> messages) {
        return new LogSubmission(submission.taskId(), submission.session().withMessages(messages));
    }

    private int bytes(Object value) {
        try {
            return mapper.writeValueAsBytes(value).length;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
