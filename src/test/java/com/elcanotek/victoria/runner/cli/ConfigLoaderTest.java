package com.elcanotek.victoria.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.config.InvalidOption;
import com.elcanotek.victoria.runner.config.RunnerConfig;

import picocli.CommandLine;

/** What a reload resolves: the start's command line over the environment file and the config file, both read anew. */
class ConfigLoaderTest {

    @TempDir
    Path tmp;

    private final CommandLine.IFactory factory = CommandLine.defaultFactory();

    @Test
    void theEnvironmentFileAndTheConfigFileAreReadAgainAndTheCommandLineStillWins() throws Exception {
        Path config = Files.writeString(tmp.resolve("runner.conf"), "poll-interval = 20\nmax-concurrent-tasks = 1\n");
        Path environment = Files.writeString(tmp.resolve("runner.env"), """
                # the unit's EnvironmentFile=
                VICTORIA_RUNNER_ORCHESTRATOR_URL=https://orchestrator.example
                VICTORIA_RUNNER_REGISTRATION_TOKEN="token one"
                """);
        ConfigLoader loader = new ConfigLoader(factory, () -> new RunCommand(null, factory), List.of("--config", config.toString(), "--environment-file",
                environment.toString(), "--state-dir", tmp.resolve("state").toString(), "--heartbeat-interval", "10"),
                Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", "from the process", "VICTORIA_RUNNER_NAME", "process-name"));

        RunnerConfig first = loader.get();
        assertThat(first.registrationToken()).as("the file over the process environment").isEqualTo("token one");
        assertThat(first.name()).isEqualTo("process-name");
        assertThat(first.pollInterval()).isEqualTo(Duration.ofSeconds(20));

        Files.writeString(config, "poll-interval = 5\nmax-concurrent-tasks = 3\nheartbeat-interval = 50\n");
        Files.writeString(environment, "VICTORIA_RUNNER_ORCHESTRATOR_URL=https://orchestrator.example\n"
                + "VICTORIA_RUNNER_REGISTRATION_TOKEN='token two'\nVICTORIA_RUNNER_NAME=file-name\n");
        RunnerConfig second = loader.get();
        assertThat(second.pollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(second.maxConcurrentTasks()).isEqualTo(3);
        assertThat(second.heartbeatInterval()).as("the command line wins").isEqualTo(Duration.ofSeconds(10));
        assertThat(second.registrationToken()).isEqualTo("token two");
        assertThat(second.name()).isEqualTo("file-name");
    }

    @Test
    void aLineDeletedFromTheEnvironmentFileIsGoneAfterAReload() throws Exception {
        Path environment = Files.writeString(tmp.resolve("runner.env"), """
                VICTORIA_RUNNER_ORCHESTRATOR_URL=https://orchestrator.example
                VICTORIA_RUNNER_REGISTRATION_TOKEN=t
                VICTORIA_RUNNER_MAX_CONCURRENT_TASKS=4
                """);
        // what systemd put into the process environment from the file at start, and one of the unit's own
        Map<String, String> process = Map.of("VICTORIA_RUNNER_ORCHESTRATOR_URL", "https://orchestrator.example",
                "VICTORIA_RUNNER_REGISTRATION_TOKEN", "t", "VICTORIA_RUNNER_MAX_CONCURRENT_TASKS", "4",
                "VICTORIA_RUNNER_POLL_INTERVAL", "7");
        ConfigLoader loader = new ConfigLoader(factory, () -> new RunCommand(null, factory), List.of("--environment-file",
                environment.toString(), "--state-dir", tmp.resolve("state").toString()), process);
        assertThat(loader.get().maxConcurrentTasks()).isEqualTo(4);

        Files.writeString(environment, "VICTORIA_RUNNER_ORCHESTRATOR_URL=https://orchestrator.example\n"
                + "VICTORIA_RUNNER_REGISTRATION_TOKEN=t\n");
        RunnerConfig reloaded = loader.get();
        assertThat(reloaded.maxConcurrentTasks()).as("the default again").isEqualTo(1);
        assertThat(reloaded.pollInterval()).as("the unit's own environment stays").isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void theEnvironmentFileCannotComeFromTheConfigFile() throws Exception {
        Path environment = Files.writeString(tmp.resolve("runner.env"), "VICTORIA_RUNNER_REGISTRATION_TOKEN=t\n");
        Path config = Files.writeString(tmp.resolve("runner.conf"), "orchestrator-url = https://orchestrator.example\n"
                + "environment-file = " + environment + "\n");
        ConfigLoader loader = new ConfigLoader(factory, () -> new RunCommand(null, factory), List.of("--config",
                config.toString(), "--state-dir", tmp.resolve("state").toString()), Map.of());
        assertThatThrownBy(loader::get).isInstanceOf(InvalidOption.class).hasMessageContaining("--environment-file")
                .hasMessageContaining("command line");
    }

    @Test
    void settingsThatNoLongerResolveSayWhichOption() throws Exception {
        Path config = Files.writeString(tmp.resolve("runner.conf"), """
                orchestrator-url = https://orchestrator.example
                registration-token = t
                """);
        ConfigLoader loader = new ConfigLoader(factory, () -> new RunCommand(null, factory), List.of("--config", config.toString(), "--state-dir",
                tmp.resolve("state").toString()), Map.of());
        assertThat(loader.get().maxConcurrentTasks()).isEqualTo(1);

        Files.writeString(config, "orchestrator-url = https://orchestrator.example\nregistration-token = t\nmax-concurrent-tasks = many\n");
        assertThatThrownBy(loader::get).isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--max-concurrent-tasks");

        Files.writeString(config, "orchestrator-url = https://orchestrator.example\nregistration-token = t\npoll-interval = 0\n");
        assertThatThrownBy(loader::get).isInstanceOf(InvalidOption.class).hasMessageContaining("--poll-interval");

        Files.delete(config);
        assertThatThrownBy(loader::get).isInstanceOf(InvalidOption.class).hasMessageContaining("does not exist");
    }
}
