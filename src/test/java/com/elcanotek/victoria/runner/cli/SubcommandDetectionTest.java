package com.elcanotek.victoria.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** What Main decides before Quarkus starts: which runs are one-shot, and the Quarkus settings options imply. */
class SubcommandDetectionTest {

    @Test
    void aSubcommandNameRunsOneShotUnlessItIsAnOptionsValue() {
        assertThat(Main.runsSubcommand("status")).isTrue();
        assertThat(Main.runsSubcommand("--state-dir", "/var/lib/x", "status", "--json")).isTrue();
        assertThat(Main.runsSubcommand("-v", "cleanup", "--dry-run")).isTrue();
        assertThat(Main.runsSubcommand("--state-dir", "/var/lib/x", "drain", "--wait")).isTrue();
        assertThat(Main.runsSubcommand("resume")).isTrue();
        assertThat(Main.runsSubcommand("--name", "status")).isFalse();
        assertThat(Main.runsSubcommand("--name=status", "--poll-interval", "5")).isFalse();
        assertThat(Main.runsSubcommand("--orchestrator-url", "https://o.example")).isFalse();
    }

    @Test
    void logFormatAndManagementPortBecomeQuarkusProperties() {
        assertThat(StartupProperties.of(new String[] { "--log-format", "json", "--management-port", "9100" }, Map.of()))
                .containsEntry(StartupProperties.JSON_LOGS, "true").containsEntry("quarkus.management.port", "9100");
        assertThat(StartupProperties.of(new String[0], Map.of("VICTORIA_RUNNER_LOG_FORMAT", "JSON",
                "VICTORIA_RUNNER_MANAGEMENT_PORT", "off")))
                .containsEntry(StartupProperties.JSON_LOGS, "true").containsEntry("quarkus.management.host-enabled", "false");
        // the command line wins over the environment; text and an unset port change nothing
        assertThat(StartupProperties.of(new String[] { "--log-format=text" }, Map.of("VICTORIA_RUNNER_LOG_FORMAT", "json")))
                .isEmpty();
    }
}
