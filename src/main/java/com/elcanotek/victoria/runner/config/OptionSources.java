package com.elcanotek.victoria.runner.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option comes from when the command line does not give it: the environment
 * ({@code VICTORIA_RUNNER_<OPTION>}), then the config file ({@code option-name = value}), then the
 * application's profile defaults ({@code runner.defaults.<option>}, which is how {@code quarkus:dev}
 * points at a local orchestrator), then the option's own default. Picocli asks this for every
 * option it did not see on the command line.
 */
public final class OptionSources implements IDefaultValueProvider {

    public static final String ENV_PREFIX = "VICTORIA_RUNNER_";
    public static final Path DEFAULT_CONFIG_FILE = Path.of("/etc/victoria-runner/runner.conf");

    private final Map<String, String> environment;
    private final Properties file;
    private final Function<String, Optional<String>> profileDefaults;

    private OptionSources(Map<String, String> environment, Properties file,
            Function<String, Optional<String>> profileDefaults) {
        this.environment = environment;
        this.file = file;
        this.profileDefaults = profileDefaults;
    }

    /**
     * @param explicitConfigFile the {@code --config} value, which must be known before the other
     *        options are resolved; {@code null} for the default file, which may be absent
     */
    public static OptionSources load(Map<String, String> environment, Path explicitConfigFile,
            Function<String, Optional<String>> profileDefaults) {
        Path configFile = explicitConfigFile;
        if (configFile == null && environment.containsKey(ENV_PREFIX + "CONFIG")) {
            configFile = Path.of(environment.get(ENV_PREFIX + "CONFIG"));
        }
        Properties properties = new Properties();
        Path toRead = configFile != null ? configFile : DEFAULT_CONFIG_FILE;
        if (configFile != null || Files.isReadable(toRead)) {
            try (Reader reader = Files.newBufferedReader(toRead)) {
                properties.load(reader);
            } catch (NoSuchFileException e) {
                throw new InvalidOption("--config", "config file " + toRead + " does not exist");
            } catch (IOException e) {
                throw new InvalidOption("--config", "cannot read config file " + toRead + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        return new OptionSources(environment, properties, profileDefaults);
    }

    /**
     * The process environment with the assignments of {@code environmentFile} over it: the file systemd's
     * {@code EnvironmentFile=} read at start, read again by a reload, when the process environment is still the one
     * of the start (see {@link EnvironmentFile} for its syntax).
     *
     * @param environmentFile {@code null} for the process environment alone
     */
    public static Map<String, String> environment(Map<String, String> process, Path environmentFile) {
        if (environmentFile == null) {
            return process;
        }
        Map<String, String> merged = new HashMap<>(process);
        merged.putAll(EnvironmentFile.read(environmentFile));
        return merged;
    }

    public static String environmentName(String optionName) {
        return ENV_PREFIX + optionName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option)) {
            return argSpec.defaultValue();
        }
        String name = option.longestName();
        return value(name).or(() -> profileDefaults.apply(name.replaceFirst("^-+", ""))).orElse(option.defaultValue());
    }

    /** The value the environment or else the config file gives an option, e.g. {@code --log-format}. */
    public Optional<String> value(String optionName) {
        String fromEnvironment = environment.get(environmentName(optionName));
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Optional.of(fromEnvironment.strip());
        }
        String fromFile = file.getProperty(optionName.replaceFirst("^-+", ""));
        if (fromFile != null && !fromFile.isBlank()) {
            return Optional.of(fromFile.strip());
        }
        return Optional.empty();
    }
}
