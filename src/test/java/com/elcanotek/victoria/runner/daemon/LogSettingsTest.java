package com.elcanotek.victoria.runner.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.jboss.logging.Logger;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;
import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The log handlers as the daemon sets them up: whatever handler Quarkus configured (a console, a file, one nested in
 * another) writes masked lines, in text and after a reload to JSON, and the masker's later values count at once.
 */
@QuarkusTest
class LogSettingsTest {

    private static final Logger LOG = Logger.getLogger(LogSettingsTest.class);
    private static final String KEY = "sk-or-v1-settings-0123456789";

    @Test
    void everyHandlerMasksInTextAndInJsonAndLearnsNewValues() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream nestedFile = new ByteArrayOutputStream();
        ConsoleHandler consoleHandler = new ConsoleHandler(new PatternFormatter("%s%n"));
        consoleHandler.setOutputStream(console);
        // as Quarkus nests its handlers in one of its own
        ExtHandler nesting = new ExtHandler() {
            @Override
            protected void doPublish(ExtLogRecord record) {
                publishToNestedHandlers(record);
            }
        };
        ConsoleHandler nested = new ConsoleHandler(new PatternFormatter("%s%n"));
        nested.setOutputStream(nestedFile);
        nesting.addHandler(nested);
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(consoleHandler);
        root.addHandler(nesting);
        SecretMasker masker = new SecretMasker();
        masker.add(List.of(KEY));
        try {
            LogSettings.apply(false, false, masker);
            LOG.infof("text line with %s", KEY);
            LogSettings.apply(false, true, masker);
            LOG.infof("json line with %s", KEY);
            String later = "later-value-9876543210";
            masker.add(List.of(later));
            LOG.infof("after a reload: %s", later);
            consoleHandler.flush();
            nested.flush();
        } finally {
            root.removeHandler(consoleHandler);
            root.removeHandler(nesting);
            LogSettings.apply(false, false, masker);
        }

        String text = console.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("text line with ***");
        assertThat(new ObjectMapper().readTree(lines.get(1)).path("message").asText()).isEqualTo("json line with ***");
        assertThat(new ObjectMapper().readTree(lines.get(2)).path("message").asText()).isEqualTo("after a reload: ***");
        assertThat(nestedFile.toString(StandardCharsets.UTF_8)).contains("text line with ***", "json line with ***")
                .doesNotContain(KEY);
        assertThat(text).doesNotContain(KEY).doesNotContain("9876543210");
    }
}
