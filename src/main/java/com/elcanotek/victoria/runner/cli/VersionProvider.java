package com.elcanotek.victoria.runner.cli;

import org.eclipse.microprofile.config.ConfigProvider;

import com.elcanotek.victoria.runner.container.ContainerRuntimes;
import com.elcanotek.victoria.runner.container.PathLookup;
import com.elcanotek.victoria.runner.orchestrator.UserAgent;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * {@code --version}: the build's version, as Quarkus records it, and the User-Agent every request of this runner
 * carries (system, architecture, and the engine {@code --container-runtime} picks, asked now).
 */
public class VersionProvider implements IVersionProvider {

    @Spec
    CommandSpec spec;

    @Override
    public String[] getVersion() {
        String version = ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("unknown");
        return new String[] { "victoria-runner " + version, "User-Agent: " + UserAgent.of(version, engine()).header() };
    }

    private String engine() {
        OptionSpec option = spec == null ? null : spec.findOption("--container-runtime");
        String choice = option == null || option.getValue() == null ? "auto" : option.getValue().toString();
        try {
            return UserAgent.engine(ContainerRuntimes.detect(choice, PathLookup.fromEnvironment(), new ObjectMapper()));
        } catch (IllegalArgumentException invalidChoice) {
            return "no-engine";
        }
    }
}
