package com.elcanotek.victoria.runner.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.elcanotek.victoria.runner.config.InvalidOption;
import com.elcanotek.victoria.runner.config.OptionSources;

/**
 * The options that shape Quarkus itself, the log format and the management port, are read before
 * it starts: its logging and listeners are set up from system properties at start-up, before
 * picocli runs. They come from the same places as every other option (command line, environment,
 * config file); an invalid value is left for picocli to report.
 */
final class StartupProperties {

    static final String JSON_LOGS = "quarkus.log.console.json.enabled";

    private StartupProperties() {
    }

    /** The system properties to set before {@code Quarkus.run} for these arguments and environment. */
    static Map<String, String> of(String[] args, Map<String, String> environment) {
        OptionSources sources;
        try {
            sources = OptionSources.load(Main.environment(args, environment), Main.configFileArgument(args), key -> Optional.empty());
        } catch (InvalidOption unreadableConfig) {
            return Map.of();
        }
        Map<String, String> properties = new LinkedHashMap<>();
        if (value(args, "--log-format", sources).filter("json"::equalsIgnoreCase).isPresent()) {
            properties.put(JSON_LOGS, "true");
        }
        value(args, "--management-port", sources).ifPresent(port -> {
            if (port.equalsIgnoreCase("off")) {
                properties.put("quarkus.management.host-enabled", "false");
            } else if (port.matches("\\d{1,5}")) {
                properties.put("quarkus.management.port", port);
            }
        });
        return properties;
    }

    /** Rejects what {@link #of} silently ignored, once picocli can say which option is wrong. */
    static void check(String logFormat, String managementPort) {
        if (!logFormat.equalsIgnoreCase("text") && !logFormat.equalsIgnoreCase("json")) {
            throw new InvalidOption("--log-format", "'" + logFormat + "' is not one of text, json");
        }
        if (managementPort != null && !managementPort.equalsIgnoreCase("off")
                && !(managementPort.matches("\\d{1,5}") && Integer.parseInt(managementPort) <= 65535)) {
            throw new InvalidOption("--management-port", "'" + managementPort + "' is not a port number or 'off'");
        }
    }

    private static Optional<String> value(String[] args, String option, OptionSources sources) {
        return Main.commandLineValue(args, option).map(String::strip).or(() -> sources.value(option));
    }
}
