package com.elcanotek.victoria.runner.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.elcanotek.victoria.runner.orchestrator.LogSubmission;
import com.elcanotek.victoria.runner.orchestrator.SessionLog;
import com.elcanotek.victoria.runner.orchestrator.SessionMessage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

class LogFitterTest {

    private static final int MIB = 1024 * 1024;

    private final ObjectMapper mapper = new ObjectMapper();
    private final LogFitter fitter = new LogFitter(mapper);

    @Test
    void sizeIsTheLengthOfTheSerializedBody() throws Exception {
        LogSubmission submission = submission(message("m", "h\u00e9llo \"w\u00f6rld\"\n\ud83d\ude00"));

        assertThat(fitter.sizeOf(submission)).isEqualTo(mapper.writeValueAsBytes(submission).length);
    }

    @Test
    void returnsASubmissionThatFitsUnchanged() {
        LogSubmission submission = submission(message("a", "one"), message("b", "two"));

        assertThat(fitter.fit(submission, fitter.sizeOf(submission))).isSameAs(submission);
    }

    @Test
    void dropsTheOldestMessagesAndKeepsAsManyNewOnesAsFit() {
        List<SessionMessage> messages = IntStream.range(0, 10)
                .mapToObj(i -> message("m" + i, "content " + i + " " + "x".repeat(i * 10)))
                .toList();
        LogSubmission submission = submission(messages.toArray(SessionMessage[]::new));
        int limit = fitter.sizeOf(submission(messages.subList(6, 10).toArray(SessionMessage[]::new)));

        LogSubmission fitted = fitter.fit(submission, limit);

        assertThat(fitted.session().messages()).isEqualTo(messages.subList(6, 10));
        assertThat(fitter.sizeOf(fitted)).isEqualTo(limit);
        assertThat(fitted.session().withMessages(List.of())).isEqualTo(submission.session().withMessages(List.of()));
        assertThat(fitted.taskId()).isEqualTo(submission.taskId());

        assertThat(fitter.fit(submission, limit - 1).session().messages()).isEqualTo(messages.subList(7, 10));
    }

    @Test
    void keepsTheNewestMessageWholeWhenOnlyItFits() {
        SessionMessage newest = message("new", "the end");
        LogSubmission fitted = fitter.fit(submission(message("old", "x".repeat(1000)), newest),
                fitter.sizeOf(submission(newest)));

        assertThat(fitted.session().messages()).containsExactly(newest);
    }

    @Test
    void cutsTheNewestMessageKeepingTheTailOfItsContent() {
        String content = "beginning " + "middle ".repeat(200) + "THE END";
        SessionMessage newest = message("new", content);
        LogSubmission submission = submission(message("old", "older"), newest);
        int limit = fitter.sizeOf(submission(newest)) - 100;

        LogSubmission fitted = fitter.fit(submission, limit);

        assertThat(fitted.session().messages()).singleElement().satisfies(kept -> {
            assertThat(kept).isEqualTo(newest.withContent(kept.content()));
            assertThat(kept.content()).startsWith("[truncated] ").endsWith("middle THE END");
            assertThat(content).endsWith(kept.content().substring("[truncated] ".length()));
        });
        assertThat(fitter.sizeOf(fitted)).isEqualTo(limit);
    }

    static Stream<Arguments> awkwardContents() {
        return Stream.of(
                Arguments.of("emoji", "\ud83d\ude00\ud83c\udf89\ud83d\udc4d".repeat(400)),
                Arguments.of("CJK", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u4e2d\u6587".repeat(300)),
                Arguments.of("escapes", "say \"hi\"\\\n\t\r\u0001\u001f</end>".repeat(300)),
                Arguments.of("mixed", "a\u00e9\u20ac\ud834\udd1e\"\n\u0000".repeat(500)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("awkwardContents")
    void cutsMultiByteAndEscapedContentToJustUnderTheLimitWithoutBreakingCharacters(String kind, String content) {
        SessionMessage newest = message("new", content);
        LogSubmission submission = submission(newest);
        int full = fitter.sizeOf(submission);

        for (int limit = full / 2; limit < full; limit += 7) {
            LogSubmission fitted = fitter.fit(submission, limit);

            int size = fitter.sizeOf(fitted);
            assertThat(size).as("size at limit %d", limit).isLessThanOrEqualTo(limit).isGreaterThan(limit - 16);
            String kept = fitted.session().messages().get(0).content();
            assertThat(kept).startsWith("[truncated] ");
            String tail = kept.substring("[truncated] ".length());
            assertThat(content).endsWith(tail);
            assertThat(new String(tail.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                    .as("no lone surrogate at limit %d", limit).isEqualTo(tail);
        }
    }

    @Test
    void sendsTheSessionWithoutMessagesWhenNotEvenAMarkedEmptyMessageFits() {
        LogSubmission submission = submission(message("old", "a"), message("new", "b".repeat(100)));
        LogSubmission bare = new LogSubmission(submission.taskId(), submission.session().withMessages(List.of()));
        int truncatedEmpty = fitter.sizeOf(submission(message("new", "[truncated] ")));

        assertThat(fitter.fit(submission, truncatedEmpty - 1)).isEqualTo(bare);
        assertThat(fitter.fit(submission, 10)).isEqualTo(bare);
        assertThat(fitter.fit(submission, truncatedEmpty).session().messages())
                .containsExactly(message("new", "[truncated] "));
    }

    @Test
    void fitsAFiveMegabyteSessionOfManyMessagesIntoOneMebibyte() {
        List<SessionMessage> messages = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            messages.add(message("m" + i, (i + " \u00e9t\u00e9 \"quoted\"\n").repeat(1000)));
        }
        LogSubmission submission = submission(messages.toArray(SessionMessage[]::new));
        assertThat(fitter.sizeOf(submission)).isGreaterThan(5 * MIB);

        LogSubmission fitted = fitter.fit(submission, MIB);

        List<SessionMessage> kept = fitted.session().messages();
        assertThat(kept).isEqualTo(messages.subList(messages.size() - kept.size(), messages.size()));
        assertThat(fitter.sizeOf(fitted)).isLessThanOrEqualTo(MIB)
                .isGreaterThan(MIB - fitter.sizeOf(submission(messages.get(0))));
    }

    @Test
    void fitsASingleFiveMegabyteMessageIntoOneMebibyte() {
        String content = "\u4e2d\u6587 \ud83d\ude00 \"x\"\n".repeat(400_000) + "final words";
        LogSubmission submission = submission(message("big", content));
        assertThat(fitter.sizeOf(submission)).isGreaterThan(5 * MIB);

        LogSubmission fitted = fitter.fit(submission, MIB);

        assertThat(fitter.sizeOf(fitted)).isLessThanOrEqualTo(MIB).isGreaterThan(MIB - 16);
        assertThat(fitted.session().messages().get(0).content())
                .startsWith("[truncated] ").endsWith("\"x\"\nfinal words");
    }

    @Test
    void asksTheSourceForTheNewestMessagesThatFitAndOneMoreWithNoMoreThanTheRoomLeft() {
        List<SessionMessage> messages = IntStream.range(0, 1000)
                .mapToObj(i -> message("m" + i, "content " + i + " " + "x".repeat(100)))
                .toList();
        LogSubmission whole = submission(messages.toArray(SessionMessage[]::new));
        LogSubmission bare = submission();
        int limit = fitter.sizeOf(submission(messages.subList(990, 1000).toArray(SessionMessage[]::new)));
        List<Integer> asked = new ArrayList<>();
        LogFitter.NewestFirst<RuntimeException> all = LogFitter.NewestFirst.of(messages);

        LogSubmission fitted = fitter.fit(bare, maxChars -> {
            asked.add(maxChars);
            return all.next(maxChars);
        }, limit);

        assertThat(fitted).isEqualTo(fitter.fit(whole, limit));
        assertThat(fitted.session().messages()).isEqualTo(messages.subList(990, 1000));
        assertThat(asked).hasSize(11);
        assertThat(asked.get(0)).isEqualTo(limit - fitter.sizeOf(bare));
        assertThat(asked.get(10)).isLessThan(fitter.sizeOf(submission(messages.get(0))) - fitter.sizeOf(bare));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("awkwardContents")
    void contentsCutToTheCharactersAskedForFitAsTheWholeContentsWould(String kind, String content) {
        List<SessionMessage> messages = List.of(message("old", "older " + content), message("mid", content),
                message("new", content + " the end"));
        LogSubmission whole = submission(messages.toArray(SessionMessage[]::new));
        int full = fitter.sizeOf(whole);

        for (int limit = 200; limit < full + 10; limit += 97) {
            LogSubmission fitted = fitter.fit(submission(), cutLikeSqlite(messages), limit);

            assertThat(fitted).as("at limit %d", limit).isEqualTo(fitter.fit(whole, limit));
        }
    }

    @Test
    void fittingAFittedSubmissionToASmallerBudgetIsFittingTheWholeOne() {
        List<SessionMessage> messages = IntStream.range(0, 30)
                .mapToObj(i -> message("m" + i, (i + " \ud83d\ude00 \"q\"\n").repeat(10 + i * 7)))
                .toList();
        LogSubmission whole = submission(messages.toArray(SessionMessage[]::new));
        int full = fitter.sizeOf(whole);

        for (int first = full - 1; first > 300; first -= 211) {
            LogSubmission sent = fitter.fit(whole, first);
            for (int smaller = Math.min(first, fitter.sizeOf(sent)) / 2; smaller > 100; smaller /= 2) {
                assertThat(fitter.fit(sent, smaller)).as("%d after %d", smaller, first)
                        .isEqualTo(fitter.fit(whole, smaller));
            }
        }
    }

    /** A source cutting each content to its last {@code maxChars} code points, as SQLite's substr(x, -n) does. */
    private static LogFitter.NewestFirst<RuntimeException> cutLikeSqlite(List<SessionMessage> messages) {
        LogFitter.NewestFirst<RuntimeException> all = LogFitter.NewestFirst.of(messages);
        return maxChars -> all.next(maxChars).map(message -> {
            String content = message.content();
            int points = content.codePointCount(0, content.length());
            int keep = Math.max(1, maxChars);
            return points <= keep ? message
                    : message.withContent(content.substring(content.offsetByCodePoints(0, points - keep)));
        });
    }

    @Test
    void refusesAMapperWhoseOutputIsNotCompact() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new LogFitter(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)));
    }

    private static LogSubmission submission(SessionMessage... messages) {
        return new LogSubmission("7d9c0b5e-1f1a-4a8e-9a55-0c4c6a3e2b10", new SessionLog("session-1",
                "A title with \u00fcmlauts", 1234, 567, 0.125, 1_700_000_000L, 1_700_000_500L, List.of(messages)));
    }

    private static SessionMessage message(String id, String content) {
        return new SessionMessage(id, "assistant", content, "claude-sonnet", "anthropic", 1_700_000_100L,
                1_700_000_101L);
    }
}
