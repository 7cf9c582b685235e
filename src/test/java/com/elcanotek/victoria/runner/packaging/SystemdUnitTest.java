package com.elcanotek.victoria.runner.packaging;

import static com.elcanotek.victoria.runner.packaging.Commands.onPath;
import static com.elcanotek.victoria.runner.packaging.Commands.require;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.cli.RunCommand;
import com.elcanotek.victoria.runner.daemon.Runner;

import io.quarkus.runtime.configuration.DurationConverter;
import picocli.CommandLine;

/** The service unit as systemd reads it, with and without the root+docker drop-in, and its numbers against the runner's. */
class SystemdUnitTest {

    static final Path UNIT = Path.of("deploy/systemd/victoria-runner.service");
    static final Path DROP_IN = Path.of("deploy/systemd/root-docker.conf");
    static final Path LAUNCHER = Path.of("deploy/packaging/victoria-runner");

    /**
     * {@code systemd-analyze verify} in a scratch root holding this machine's units, ours, and the JVM launcher
     * as ExecStart and kill as ExecReload (they must exist). It reports problems as lines but still exits 0, so any output fails.
     */
    @Test
    void systemdAnalyzeVerifyFindsNothingToSay(@TempDir Path root) throws IOException {
        require(onPath("systemd-analyze"), "systemd-analyze is not installed (Debian: the systemd package)");
        Path units = root.resolve("usr/lib/systemd/system");
        copyTree(Path.of("/usr/lib/systemd/system"), units);
        Path launcher = root.resolve("usr/bin/victoria-runner");
        Files.createDirectories(launcher.getParent());
        Files.copy(LAUNCHER, launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        // ExecReload='s
        Path kill = root.resolve("bin/kill");
        Files.createDirectories(kill.getParent());
        Files.copy(Path.of("/bin/kill"), kill);
        Files.writeString(units.resolve("probe.service"), "[Service]\nExecStart=/usr/bin/victoria-runner\n");
        Commands.Result probe = verify(root, "probe.service");
        require(probe.exitCode() == 0 && probe.output().isBlank(),
                "systemd-analyze cannot verify even a minimal unit here: " + probe.output());

        // replaces an installed copy of the package's unit, if the copied units hold one
        Files.copy(UNIT, units.resolve("victoria-runner.service"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(verify(root, "victoria-runner.service")).isEqualTo(new Commands.Result(0, ""));

        Path dropIns = root.resolve("etc/systemd/system/victoria-runner.service.d");
        Files.createDirectories(dropIns);
        Files.copy(DROP_IN, dropIns.resolve("root-docker.conf"));
        assertThat(verify(root, "victoria-runner.service")).isEqualTo(new Commands.Result(0, ""));
    }

    /**
     * systemd must not restart what cannot succeed, and must wait out the runner's stop: a claim in flight
     * (measured: 30.1 s from SIGTERM with the orchestrator silent), pending reports, then scheduled calls.
     */
    @Test
    void exitStatusesAndStopTimeoutMatchTheRunner() throws IOException {
        Map<String, String> service = serviceSettings();
        assertThat(service.get("RestartPreventExitStatus"))
                .isEqualTo(CommandLine.ExitCode.USAGE + " " + Runner.EXIT_REGISTRATION_REFUSED);
        assertThat(service.get("KillMode")).isEqualTo("process");

        Properties application = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            application.load(reader);
        }
        CommandLine.Model.CommandSpec options = new CommandLine(new RunCommand(null, null)).getCommandSpec();
        Duration claimInFlight = Duration.ofSeconds(Long.parseLong(options.findOption("--connect-timeout").defaultValue())
                + Long.parseLong(options.findOption("--read-timeout").defaultValue()));
        Duration reports = Duration.ofSeconds(Long.parseLong(options.findOption("--shutdown-timeout").defaultValue()));
        Duration scheduledCalls = DurationConverter.parseDuration(application.getProperty("quarkus.thread-pool.shutdown-timeout"));
        Duration stopTimeout = Duration.ofSeconds(Long.parseLong(service.get("TimeoutStopSec")));
        assertThat(stopTimeout).isGreaterThanOrEqualTo(claimInFlight.plus(reports).plus(scheduledCalls).plusSeconds(5));
    }

    /** The journal's times and the orchestrator's leases are wall-clock: the runner waits for the clock to be set. */
    @Test
    void theRunnerStartsOnceTheClockIsSynchronised() throws IOException {
        assertThat(settings("[Unit]").get("After").split(" ")).contains("time-sync.target", "network-online.target");
    }

    private static Commands.Result verify(Path root, String unit) {
        return Commands.run("systemd-analyze", "verify", "--man=no", "--generators=no", "--root=" + root, unit);
    }

    private static Map<String, String> serviceSettings() throws IOException {
        return settings("[Service]");
    }

    private static Map<String, String> settings(String wanted) throws IOException {
        Map<String, String> settings = new HashMap<>();
        String section = "";
        for (String line : Files.readAllLines(UNIT)) {
            if (line.startsWith("[")) {
                section = line;
            } else if (section.equals(wanted) && !line.startsWith("#") && line.contains("=")) {
                settings.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return settings;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }
}
