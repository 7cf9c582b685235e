package com.elcanotek.victoria.runner.logs;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ListIterator;
import java.util.Objects;
import java.util.Optional;

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
     * The messages of one session from the newest back, each read only when the fitter asks for it, so that a session
     * far larger than the body is never held whole.
     *
     * @param <E> what reading a message may throw
     */
    @FunctionalInterface
    public interface NewestFirst<E extends Exception> {

        /**
         * The next older message, or empty after the oldest. When its content is longer than {@code maxChars} (at
         * least 0) characters, it may come back cut to a tail of at least that many: it cannot fit whole anyway, since
         * every character takes at least one byte, and its last {@code maxChars} characters are all a cut could keep.
         */
        Optional<SessionMessage> next(int maxChars) throws E;

        /** The messages of a list, oldest first as a session holds them. */
        static NewestFirst<RuntimeException> of(List<SessionMessage> messages) {
            ListIterator<SessionMessage> older = messages.listIterator(messages.size());
            return maxChars -> older.hasPrevious() ? Optional.of(older.previous()) : Optional.empty();
        }
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
        return fit(withMessages(submission, List.of()), NewestFirst.of(submission.session().messages()), maxBytes);
    }

    /**
     * {@link #fit(LogSubmission, int)} of {@code withoutMessages} holding the messages {@code newestFirst} gives,
     * asking it for no more of them than the body can hold: the newest ones that fit whole and the first that does
     * not (cut to the room that was left).
     */
    public <E extends Exception> LogSubmission fit(LogSubmission withoutMessages, NewestFirst<E> newestFirst,
            int maxBytes) throws E {
        if (withoutMessages.session() == null || !withoutMessages.session().messages().isEmpty()) {
            throw new IllegalArgumentException("expected a session without messages");
        }
        int budget = maxBytes - sizeOf(withoutMessages);
        int used = -1; // in a compact JSON array each message but the first adds a comma
        List<SessionMessage> kept = new ArrayList<>();
        while (true) {
            Optional<SessionMessage> next = newestFirst.next(Math.max(0, budget - used - 1));
            if (next.isEmpty()) {
                break;
            }
            used += bytes(next.get()) + 1;
            if (used > budget) {
                if (kept.isEmpty()) {
                    return truncateNewest(withoutMessages, next.get(), maxBytes);
                }
                break;
            }
            kept.add(next.get());
        }
        Collections.reverse(kept);
        return withMessages(withoutMessages, kept);
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
