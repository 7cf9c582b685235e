package com.elcanotek.victoria.runner.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import com.elcanotek.victoria.runner.metrics.RunnerMetrics;

/** What the fleet sees of a runner: one User-Agent, and the build info metric with the same parts. */
class UserAgentTest {

    @TempDir
    Path dir;

    @Test
    void theHeaderNamesBuildSystemArchitectureAndEngine() throws Exception {
        Path osRelease = Files.writeString(dir.resolve("os-release"), "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                + "ID=debian\nVERSION_ID=\"12\"\n");

        UserAgent agent = new UserAgent("0.1.0", UserAgent.os(osRelease, "Linux", "6.1.0"), "amd64", "podman 4.3.1");

        assertThat(agent.header()).isEqualTo("victoria-runner/0.1.0 (debian 12; amd64; podman 4.3.1)");
        assertThat(UserAgent.os(dir.resolve("missing"), "Linux", "6.1.0")).isEqualTo("Linux 6.1.0");
        assertThat(new UserAgent("1", "x (y)\r\nInjected: 1", "arm64", "").header())
                .isEqualTo("victoria-runner/1 (x yInjected: 1; arm64; unknown)");
    }

    @Test
    void theBuildInfoMetricCarriesTheSameParts() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RunnerMetrics metrics = new RunnerMetrics(registry);

        metrics.buildInfo(new UserAgent("0.1.0", "debian 12", "amd64", "podman 4.3.1"));
        metrics.buildInfo(new UserAgent("0.1.0", "debian 12", "amd64", "docker 24.0.7"));

        assertThat(registry.find("victoria.runner.build.info").gauges()).singleElement().satisfies(gauge -> {
            assertThat(gauge.value()).isEqualTo(1.0);
            assertThat(gauge.getId().getTag("version")).isEqualTo("0.1.0");
            assertThat(gauge.getId().getTag("os")).isEqualTo("debian 12");
            assertThat(gauge.getId().getTag("arch")).isEqualTo("amd64");
            assertThat(gauge.getId().getTag("engine")).isEqualTo("docker 24.0.7");
        });
    }
}
