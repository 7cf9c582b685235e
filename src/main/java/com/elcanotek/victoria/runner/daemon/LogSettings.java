package com.elcanotek.victoria.runner.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

import io.quarkus.logging.json.runtime.JsonFormatter;

/**
 * The log level and format of a running runner. Quarkus sets up the console handler once, from properties, at
 * start-up ({@code cli/StartupProperties}); a reload gives the same handler a text or JSON formatter instead.
 */
final class LogSettings {

    private static final String RUNNER_CATEGORY = "com.elcanotek.victoria.runner";

    private LogSettings() {
    }

    static void apply(boolean verbose, boolean json) {
        java.util.logging.Logger.getLogger(RUNNER_CATEGORY).setLevel(verbose ? Level.FINE : null);
        for (Handler console : consoleHandlers()) {
            boolean isJson = console.getFormatter() instanceof JsonFormatter;
            if (json && !isJson) {
                console.setFormatter(new JsonFormatter());
            } else if (!json && isJson) {
                console.setFormatter(new PatternFormatter(
                        ConfigProvider.getConfig().getValue("quarkus.log.console.format", String.class)));
            }
        }
    }

    /** The console handlers under the root logger, which Quarkus nests in handlers of its own. */
    private static List<Handler> consoleHandlers() {
        List<Handler> found = new ArrayList<>();
        collect(java.util.logging.Logger.getLogger("").getHandlers(), found);
        return found;
    }

    private static void collect(Handler[] handlers, List<Handler> found) {
        for (Handler handler : handlers) {
            if (handler instanceof ConsoleHandler) {
                found.add(handler);
            } else if (handler instanceof ExtHandler nesting) {
                collect(nesting.getHandlers(), found);
            }
        }
    }
}
