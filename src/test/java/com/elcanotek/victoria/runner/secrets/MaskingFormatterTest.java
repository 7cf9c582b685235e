package com.elcanotek.victoria.runner.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.junit.jupiter.api.Test;

import io.quarkus.logging.json.runtime.JsonFormatter;

/** The runner's log lines, in both formats, never hold a secret: in a parameter, an exception or the MDC alike. */
class MaskingFormatterTest {

    private static final String KEY = "sk-\"or\"-v1-0123456789";

    @Test
    void textAndJsonLinesHaveEverySecretMasked() {
        SecretMasker masker = new SecretMasker();
        masker.add(List.of(KEY));
        for (ExtFormatter inner : List.of(new PatternFormatter("%X{taskId} %s%e%n"), new JsonFormatter())) {
            ExtLogRecord record = new ExtLogRecord(Level.WARNING, "call failed: %s", ExtLogRecord.FormatStyle.PRINTF,
                    MaskingFormatterTest.class.getName());
            record.setParameters(new Object[] { "Bearer " + KEY });
            record.setThrown(new IllegalStateException("refused " + KEY));
            record.setMdc(Map.of("taskId", "t-" + KEY));

            String unmasked = inner.format(record);
            String line = new MaskingFormatter(inner, masker).format(record);

            assertThat(unmasked).as("the record does hold it").containsAnyOf(KEY, KEY.replace("\"", "\\\""));
            assertThat(line).doesNotContain("0123456789").contains("call failed: Bearer ***", "refused ***", "t-***");
        }
    }
}
