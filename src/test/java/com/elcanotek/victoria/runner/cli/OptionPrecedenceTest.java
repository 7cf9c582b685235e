package com.elcanotek.victoria.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.config.InvalidOption;
import com.elcanotek.victoria.runner.config.OptionSources;
import com.elcanotek.victoria.runner.config.RunnerConfig;

import picocli.CommandLine;

/**
 * Where each setting comes from: the command line, then {@code VICTORIA_RUNNER_*}, then the config
 * file, then the option's default. Resolved by {@link OptionSources} as {@link Main} installs it.
 */
class OptionPrecedenceTest {

    @TempDir
    Path tmp;

    private RunnerConfig resolve(Map<String, String> environment, String... args) {
        RunCommand command = new RunCommand(null, null);
        CommandLine commandLine = new CommandLine(command);
        commandLine.setDefaultValueProvider(OptionSources.load(environment, Main.configFileArgument(args), key -> Optional.empty()));
        commandLine.parseArgs(args);
        return command.toConfig(environment);
    }

    private Path configFile(String content) throws IOException {
        return Files.writeString(tmp.resolve("runner.conf"), content);
    }

    @Test
    void commandLineThenEnvironmentThenFileThenDefault() throws Exception {
        Path file = configFile("""
                orchestrator-url = https://file.example
                registration-token = file-token
                name = file-name
                poll-interval = 20
                heartbeat-interval = 40
                """);
        Map<String, String> environment = Map.of(
                "VICTORIA_RUNNER_NAME", "env-name",
                "VICTORIA_RUNNER_POLL_INTERVAL", "10",
                "VICTORIA_RUNNER_HEARTBEAT_INTERVAL", "15");

        RunnerConfig config = resolve(environment, "--config", file.toString(), "--poll-interval", "5");

        assertThat(config.pollInterval()).as("command line").isEqualTo(Duration.ofSeconds(5));
        assertThat(config.heartbeatInterval()).as("environment").isEqualTo(Duration.ofSeconds(15));
        assertThat(config.name()).as("environment").isEqualTo("env-name");
        assertThat(config.orchestratorUrl()).as("file").isEqualTo(URI.create("https://file.example"));
        assertThat(config.registrationToken()).as("file").isEqualTo("file-token");
        assertThat(config.readTimeout()).as("default").isEqualTo(Duration.ofSeconds(30));
        assertThat(config.containerImage()).as("default").isEqualTo("ghcr.io/elcanotek/victoria-terminal:latest");
    }

    @Test
    void theCapabilitiesKeptAreTheDefaultListOrTheOperatorsInsteadOrNone() {
        Map<String, String> required = Map.of("VICTORIA_RUNNER_ORCHESTRATOR_URL", "https://o.example",
                "VICTORIA_RUNNER_REGISTRATION_TOKEN", "t");

        assertThat(resolve(required).containerPolicy().capabilities())
                .containsExactly("CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETGID", "SETUID");
        assertThat(resolve(required, "--cap-add", "cap_sys_ptrace,chown", "--cap-add", "CHOWN").containerPolicy().capabilities())
                .containsExactly("SYS_PTRACE", "CHOWN");
        assertThat(resolve(required, "--cap-add", "none").containerPolicy().capabilities()).isEmpty();
        assertThatThrownBy(() -> resolve(required, "--cap-add", "ALL")).isInstanceOf(InvalidOption.class)
                .hasMessageContaining("--cap-add").hasMessageContaining("every capability");
        assertThatThrownBy(() -> resolve(required, "--cap-add", "SYS_ADMN")).isInstanceOf(InvalidOption.class)
                .hasMessageContaining("'SYS_ADMN' is not a Linux capability");
    }

    @Test
    void devicesPerTaskBoundTheTasksAtOnceAndNeedTheDevicesListed() {
        Map<String, String> required = Map.of("VICTORIA_RUNNER_ORCHESTRATOR_URL", "https://o.example",
                "VICTORIA_RUNNER_REGISTRATION_TOKEN", "t");

        RunnerConfig twoGpus = resolve(required, "--device", "vendor.example/gpu=a,vendor.example/gpu=b,/dev/fuse",
                "--devices-per-task", "1", "--max-concurrent-tasks", "4");

        assertThat(twoGpus.concurrentTasks()).isEqualTo(2);
        assertThat(twoGpus.containerPolicy().devicePool()).containsExactly("vendor.example/gpu=a", "vendor.example/gpu=b");
        assertThat(resolve(required, "--max-concurrent-tasks", "4").concurrentTasks()).isEqualTo(4);
        assertThatThrownBy(() -> resolve(required, "--gpus", "all", "--devices-per-task", "1"))
                .isInstanceOf(InvalidOption.class).hasMessageContaining("--devices-per-task").hasMessageContaining("--gpus all");
        assertThatThrownBy(() -> resolve(required, "--devices-per-task", "-1"))
                .isInstanceOf(InvalidOption.class).hasMessageContaining("--devices-per-task");
    }

    @Test
    void theEnvironmentCanNameTheConfigFile() throws Exception {
        Path file = configFile("orchestrator-url = https://file.example\nregistration-token = t\n");

        RunnerConfig config = resolve(Map.of("VICTORIA_RUNNER_CONFIG", file.toString()));

        assertThat(config.orchestratorUrl()).isEqualTo(URI.create("https://file.example"));
    }

    @Test
    void aBlankEnvironmentValueFallsThroughToTheFile() throws Exception {
        Path file = configFile("orchestrator-url = https://file.example\nregistration-token = t\n");

        RunnerConfig config = resolve(Map.of("VICTORIA_RUNNER_ORCHESTRATOR_URL", " "), "--config=" + file);

        assertThat(config.orchestratorUrl()).isEqualTo(URI.create("https://file.example"));
    }

    @Test
    void theStateDirFollowsSystemdThenXdg() {
        String[] args = { "--orchestrator-url", "https://o.example", "--registration-token", "t" };

        assertThat(resolve(Map.of("STATE_DIRECTORY", "/var/lib/victoria-runner", "XDG_STATE_HOME", "/xdg"), args).stateDir())
                .isEqualTo(Path.of("/var/lib/victoria-runner"));
        assertThat(resolve(Map.of("XDG_STATE_HOME", "/xdg"), args).stateDir()).isEqualTo(Path.of("/xdg/victoria-runner"));
    }

    @Test
    void theTokenFileIsRead() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "  tok-from-file\n");

        RunnerConfig config = resolve(Map.of(), "--orchestrator-url", "https://o.example",
                "--registration-token-file", token.toString());

        assertThat(config.registrationToken()).isEqualTo("tok-from-file");
    }

    @Test
    void anEmptyOrMissingTokenFileNamesTheOption() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");

        for (Path token : new Path[] { empty, tmp.resolve("missing") }) {
            assertThatThrownBy(() -> resolve(Map.of(), "--orchestrator-url", "https://o.example",
                    "--registration-token-file", token.toString()))
                    .isInstanceOf(InvalidOption.class).hasMessageContaining("'--registration-token-file'");
        }
    }

    @Test
    void environmentNamesFollowTheOptionNames() {
        assertThat(OptionSources.environmentName("--max-concurrent-tasks")).isEqualTo("VICTORIA_RUNNER_MAX_CONCURRENT_TASKS");
    }

    @Test
    void oldImagesArePrunedUnlessTurnedOffOnTheCommandLineInTheEnvironmentOrInTheFile() throws Exception {
        String file = configFile("orchestrator-url = https://file.example\nregistration-token = t\n").toString();
        Map<String, String> off = Map.of("VICTORIA_RUNNER_PRUNE_IMAGES", "false");

        assertThat(resolve(Map.of(), "--config", file).housekeeping().pruneImages()).as("default").isTrue();
        assertThat(resolve(Map.of(), "--config", file, "--no-prune-images").housekeeping().pruneImages()).isFalse();
        assertThat(resolve(off, "--config", file).housekeeping().pruneImages()).as("environment").isFalse();
        assertThat(resolve(off, "--config", file, "--prune-images").housekeeping().pruneImages()).as("command line").isTrue();
        String fileOff = configFile("orchestrator-url = https://file.example\nregistration-token = t\nprune-images = false\n")
                .toString();
        assertThat(resolve(Map.of(), "--config", fileOff).housekeeping().pruneImages()).as("file").isFalse();
    }
}
