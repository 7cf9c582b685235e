package com.elcanotek.victoria.runner.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

import com.elcanotek.victoria.runner.secrets.MaskingFormatter;
import com.elcanotek.victoria.runner.secrets.SecretMasker;

import io.quarkus.logging.json.runtime.JsonFormatter;

/**
 * The log level and format of a running runner. Quarkus sets up the handlers once, from properties, at start-up
 * ({@code cli/StartupProperties}); a reload gives the console handler a text or JSON formatter instead. Every handler's
 * formatter is wrapped in a {@link MaskingFormatter}, so that no line the runner writes, to the console or to a file,
 * holds a secret.
 */
final class LogSettings {

    private static final String RUNNER_CATEGORY = "com.elcanotek.victoria.runner";

    private LogSettings() {
    }

    static void apply(boolean verbose, boolean json, SecretMasker masker) {
        java.util.logging.Logger.getLogger(RUNNER_CATEGORY).setLevel(verbose ? Level.FINE : null);
        for (Handler handler : handlers()) {
            Formatter current = handler.getFormatter();
            if (current == null) {
                continue;
            }
            Formatter inner = current instanceof MaskingFormatter masking ? masking.inner() : current;
            if (handler instanceof ConsoleHandler) {
                boolean isJson = inner instanceof JsonFormatter;
                if (json && !isJson) {
                    inner = new JsonFormatter();
                } else if (!json && isJson) {
                    inner = new PatternFormatter(
                            ConfigProvider.getConfig().getValue("quarkus.log.console.format", String.class));
                }
            }
            handler.setFormatter(new MaskingFormatter(
                    inner instanceof ExtFormatter ext ? ext : ExtFormatter.wrap(inner, false), masker));
        }
    }

    /** Every handler under the root logger, those Quarkus nests in handlers of its own included. */
    private static List<Handler> handlers() {
        List<Handler> found = new ArrayList<>();
        collect(java.util.logging.Logger.getLogger("").getHandlers(), found);
        return found;
    }

    private static void collect(Handler[] handlers, List<Handler> found) {
        for (Handler handler : handlers) {
            found.add(handler);
            if (handler instanceof ExtHandler nesting) {
                collect(nesting.getHandlers(), found);
            }
        }
    }
}
