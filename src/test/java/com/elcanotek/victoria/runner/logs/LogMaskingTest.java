package com.elcanotek.victoria.runner.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.orchestrator.LogSubmission;
import com.elcanotek.victoria.runner.orchestrator.SessionLog;
import com.elcanotek.victoria.runner.orchestrator.SessionMessage;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A session log is masked after it was fitted: nothing of a secret is sent, and the body still fits. */
class LogMaskingTest {

    private static final String KEY = "sk-or-v1-0123456789abcdef0123";

    private final ObjectMapper mapper = new ObjectMapper();
    private final LogFitter fitter = new LogFitter(mapper);

    private static SecretMasker masker() {
        SecretMasker masker = new SecretMasker();
        masker.add(List.of(KEY));
        return masker;
    }

    @Test
    void everyTextFieldIsMaskedAndTheRoleIsLeftAsItIs() {
        LogSubmission log = new LogSubmission("t-1", new SessionLog("s-" + KEY, "title " + KEY, 1, 2, 0.5, 10, 20,
                List.of(new SessionMessage("m-" + KEY, "assistant", "[{\"text\":\"key=" + KEY + "\"}]", KEY, "p " + KEY, 1L, 2L))));

        LogSubmission masked = LogMasking.mask(log, masker());

        assertThat(masked.toString()).doesNotContain(KEY);
        assertThat(masked.session().messages().get(0).content()).isEqualTo("[{\"text\":\"key=***\"}]");
        assertThat(masked.session().messages().get(0).role()).isEqualTo("assistant");
        assertThat(masked.session().title()).isEqualTo("title ***");
        assertThat(masked.session().promptTokens()).isEqualTo(1);
    }

    @Test
    void aContentTheFitterCutInsideASecretLosesTheRestOfItAndTheBodyStillFits() {
        // The key near the start of a long message: a cut keeping the tail starts inside it.
        String content = "x".repeat(100) + KEY + "y".repeat(300);
        LogSubmission log = new LogSubmission("t-1", new SessionLog("s", "t", 0, 0, 0, 0, 0,
                List.of(new SessionMessage("m", "assistant", content, null, null, 1L, 1L))));
        int whole = fitter.sizeOf(log);
        for (int cutInsideTheKey = 1; cutInsideTheKey < KEY.length(); cutInsideTheKey++) {
            int limit = whole - 100 - cutInsideTheKey + LogFitter.TRUNCATED_MARK.length();
            LogSubmission fitted = fitter.fit(log, limit);
            String cut = fitted.session().messages().get(0).content();
            assertThat(cut).as("the fitter cut inside the key").startsWith(LogFitter.TRUNCATED_MARK + KEY.substring(cutInsideTheKey));

            LogSubmission masked = LogMasking.mask(fitted, masker());

            String sent = masked.session().messages().get(0).content();
            assertThat(sent).startsWith(LogFitter.TRUNCATED_MARK + "*").endsWith("y".repeat(300))
                    .doesNotContain(KEY.substring(KEY.length() - 1) + "y");
            assertThat(fitter.sizeOf(masked)).isLessThanOrEqualTo(limit);
        }
    }
}
