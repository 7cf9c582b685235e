package com.elcanotek.victoria.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import picocli.CommandLine;

/** The command line as an operator meets it: help, version, and one clear line for each bad value. */
@QuarkusMainTest
class MainTest {

    private static final String URL = "https://orchestrator.example";
    // Every bad-value case below leaves the token out: should its check be missed, the run stops at
    // the missing token (a failing assertion) instead of starting a daemon that never returns.
    private static final String UNCREATABLE_HOME = "/proc/victoria-runner-test/home";

    @Test
    @Launch("--help")
    void helpListsEveryOption(LaunchResult result) {
        List<String> options = new CommandLine(new RunCommand(null, null)).getCommandSpec().options().stream()
                // picocli shows a negatable option as --[no-]name
                .map(option -> option.negatable() ? option.longestName().replaceFirst("^--", "--[no-]") : option.longestName())
                .toList();

        assertThat(options).contains("--orchestrator-url", "--registration-token-file", "--poll-interval", "--help");
        assertThat(result.getOutput()).contains(options).contains("VICTORIA_RUNNER_ORCHESTRATOR_URL");
    }

    @Test
    @Launch("--version")
    void versionNamesTheBuild(LaunchResult result) {
        assertThat(result.getOutputStream()).contains("victoria-runner 0.1.0");
    }

    static Stream<Arguments> invalidCommandLines() {
        return Stream.of(
                Arguments.of("--orchestrator-url", List.of("--orchestrator-url", "foo")),
                Arguments.of("--orchestrator-url", List.of("--orchestrator-url", "https://user:pw@orchestrator.example")),
                Arguments.of("--orchestrator-url", List.of("--poll-interval", "10")),
                Arguments.of("--poll-interval", List.of("--orchestrator-url", URL, "--poll-interval", "0")),
                Arguments.of("--poll-interval", List.of("--orchestrator-url", URL, "--poll-interval", "abc")),
                Arguments.of("--env-file", List.of("--orchestrator-url", URL, "--env-file", "/nonexistent/runner.env")),
                Arguments.of("--container-runtime", List.of("--orchestrator-url", URL, "--container-runtime", "lxc")),
                Arguments.of("--memory", List.of("--orchestrator-url", URL, "--memory", "lots")),
                Arguments.of("--cpus", List.of("--orchestrator-url", URL, "--cpus", "two")),
                Arguments.of("--pids-limit", List.of("--orchestrator-url", URL, "--pids-limit", "-1")),
                Arguments.of("--device", List.of("--orchestrator-url", URL, "--device", "--privileged")),
                Arguments.of("--cap-add", List.of("--orchestrator-url", URL, "--cap-add", "ALL")),
                Arguments.of("--max-task-files-size", List.of("--orchestrator-url", URL, "--max-task-files-size", "0")),
                Arguments.of("--config", List.of("--orchestrator-url", URL, "--config", "/nonexistent/runner.conf")),
                Arguments.of("--log-format", List.of("--orchestrator-url", URL, "--log-format", "xml")),
                Arguments.of("--management-port", List.of("--orchestrator-url", URL, "--management-port", "99999")),
                Arguments.of("--min-free-disk", List.of("--orchestrator-url", URL, "--min-free-disk", "-1")),
                // The one case with all else valid; an uncreatable home stops a daemon that should not start.
                Arguments.of("--registration-token", List.of("--orchestrator-url", URL, "--victoria-home", UNCREATABLE_HOME)));
    }

    @ParameterizedTest
    @MethodSource("invalidCommandLines")
    void anInvalidValueExitsTwoWithOneLineNamingTheOption(String option, List<String> args, QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch(args.toArray(String[]::new));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.getErrorStream()).filteredOn(line -> !line.isBlank()).singleElement().asString()
                .contains("'" + option + "'");
    }
}
