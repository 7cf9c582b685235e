package com.elcanotek.victoria.runner.health;

import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.NODE_ID;
import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.registered;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.net.ConnectException;
import java.net.Socket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.config.HousekeepingConfig;
import com.elcanotek.victoria.runner.config.RunnerConfig;
import com.elcanotek.victoria.runner.config.TestConfigs;
import com.elcanotek.victoria.runner.daemon.Daemon;
import com.elcanotek.victoria.runner.daemon.Runner;
import com.elcanotek.victoria.runner.ShiftedClock;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.PodmanRuntime;
import com.elcanotek.victoria.runner.container.TestEngine;
import com.elcanotek.victoria.runner.daemon.Runners;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Readiness, liveness and metrics on the management port, fed by a real {@link Runner} as the
 * daemon assembles it, talking to a fake orchestrator. A shifted clock makes its contact and poll
 * old; short intervals let the orchestrator's silence show for real.
 */
@QuarkusTest
class HealthTest {

    /** The podman the tests run with; it must answer for the runner to be ready. */
    private static final ContainerRuntime RUNTIME = new PodmanRuntime(List.of("podman"), new ObjectMapper());
    /**
     * On this host already, as the container tests require: with the default image the runner would pull it first,
     * and be unready for as long as that takes.
     */
    private static final String IMAGE = TestEngine.IMAGE;
    /** A runtime that cannot answer. */
    private static final ContainerRuntime MISSING = new PodmanRuntime(List.of("/nonexistent/podman"), new ObjectMapper());

    @RegisterExtension
    static WireMockOrchestrator server = new WireMockOrchestrator();

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    Daemon daemon;

    @Inject
    RunnerHealth health;

    @TempDir
    Path tmp;

    private final ShiftedClock clock = new ShiftedClock();
    private Runner runner;

    @BeforeEach
    void answerLikeAnIdleOrchestrator() {
        server.stubFor(post("/register").willReturn(registered("key-1")));
        server.stubFor(post("/nodes/heartbeat").willReturn(ok()));
        server.stubFor(get("/tasks/pending").willReturn(okJson("null")));
    }

    @AfterEach
    void stopRunner() {
        if (runner != null) {
            health.detach(runner);
            runner.stop();
        }
    }

    private Runner assemble(ContainerRuntime runtime) {
        return assemble(runtime, TestConfigs.runnerConfig(URI.create(server.baseUrl()), "token-1", tmp, Duration.ofSeconds(30),
                Duration.ofSeconds(30), HousekeepingConfig.defaults(), IMAGE));
    }

    private Runner assemble(ContainerRuntime runtime, RunnerConfig config) {
        runner = Runners.create(daemon, config, runtime, clock);
        return runner;
    }

    /** Polls every second and reads for one: readiness gives up on the orchestrator after 3 + 1 s. */
    private RunnerConfig quick(HousekeepingConfig housekeeping) {
        return TestConfigs.runnerConfig(URI.create(server.baseUrl()), "token-1", tmp, Duration.ofSeconds(1),
                Duration.ofSeconds(1), housekeeping, IMAGE);
    }

    private void startAttached() {
        health.attach(runner);
        runner.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.lastPollTick().isPresent());
    }

    private ValidatableResponse ready() {
        return given().port(management.getPort()).get("/q/health/ready").then();
    }

    private ValidatableResponse live() {
        return given().port(management.getPort()).get("/q/health/live").then();
    }

    @Test
    void notReadyButLiveBeforeARunnerIsAttached() {
        ready().statusCode(503).body("checks.find { it.name == 'runner' }.data.reason", equalTo("runner not started"));
        live().statusCode(200);
    }

    @Test
    void readyWhenRegisteredWithFreshContactAndARuntime() {
        assemble(RUNTIME);
        startAttached();

        ready().statusCode(200)
                .body("checks.find { it.name == 'runner' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'runner' }.data.node_id", equalTo(NODE_ID))
                .body("checks.find { it.name == 'runner' }.data.container_runtime", equalTo("podman " + RUNTIME.version()))
                .body("checks.find { it.name == 'runner' }.data.tasks_held", equalTo(0));
        live().statusCode(200).body("checks.find { it.name == 'task-loop' }.data.last_poll", notNullValue());
    }

    /**
     * An engine that says it cannot enforce the limits (podman as a system service's user on cgroup v2 with cgroupfs:
     * what podman 4.3 printed there) leaves the runner ready, and readiness says which limits do not hold. The engine
     * is the real podman behind a CLI that answers {@code info} as that host's did.
     */
    @Test
    void readinessSaysWhichLimitsTheEngineDoesNotEnforce() throws Exception {
        Path cli = tmp.resolve("podman-on-cgroupfs");
        Files.writeString(cli, """
                #!/bin/sh
                if [ "$1" = info ]; then
                    echo '{"host": {"cgroupManager": "cgroupfs", "cgroupVersion": "v2", "cgroupControllers": ["cpu", "memory", "pids"],'
                    echo '          "security": {"rootless": true}}}'
                    exit 0
                fi
                exec podman "$@"
                """);
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwx------"));
        assemble(new PodmanRuntime(List.of(cli.toString()), new ObjectMapper()));
        startAttached();

        ready().statusCode(200).body("checks.find { it.name == 'runner' }.data.limits_not_enforced", equalTo(
                "not enforced on this host (rootless podman, cgroup v2, cgroupfs cgroup manager): --pids-limit 4096; rootless "
                        + "podman with the cgroupfs cgroup manager has no cgroup it may write on cgroup v2: it needs the systemd "
                        + "manager and the user's own systemd instance (loginctl enable-linger)"));
    }

    @Test
    void readinessNamesNoLimitsWhereTheEngineEnforcesThem() {
        assemble(RUNTIME);
        startAttached();

        ready().statusCode(200).body("checks.find { it.name == 'runner' }.data", not(hasKey("limits_not_enforced")));
    }

    @Test
    void notReadyBeforeRegistration() {
        health.attach(assemble(RUNTIME));

        ready().statusCode(503).body("checks.find { it.name == 'runner' }.data.reason", equalTo("not registered"));
    }

    @Test
    void notReadyWithoutAContainerRuntime() {
        assemble(MISSING);
        startAttached();

        ready().statusCode(503)
                .body("checks.find { it.name == 'runner' }.data.reason", equalTo("container runtime does not answer"));
    }

    @Test
    void contactOlderThanItsMaxAgeMakesTheRunnerUnreadyButNotUnlive() {
        Duration age = assemble(RUNTIME).contactMaxAge().plusSeconds(10);
        clock.shift = age.negated();
        startAttached();

        ready().statusCode(503).body("checks.find { it.name == 'runner' }.data.reason",
                matchesPattern("no contact with the orchestrator for " + secondsPattern(age)));
        live().statusCode(200);
    }

    @Test
    void aPollTickOlderThanItsMaxSilenceMakesTheRunnerUnlive() {
        Duration silence = assemble(RUNTIME).pollMaxSilence().plusSeconds(10);
        clock.shift = silence.negated();
        startAttached();

        live().statusCode(503)
                .body("checks.find { it.name == 'task-loop' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'task-loop' }.data.reason", matchesPattern("no poll for " + secondsPattern(silence)));
    }

    @Test
    void readinessGoesDownWhenTheOrchestratorStopsAnsweringAndUpWhenItIsBack() {
        assemble(RUNTIME, quick(HousekeepingConfig.defaults()));
        startAttached();
        ready().statusCode(200).body("checks.find { it.name == 'runner' }.data.last_contact", notNullValue());

        StubMapping silence = server.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> ready().statusCode(503)
                .body("checks.find { it.name == 'runner' }.data.reason", startsWith("no contact with the orchestrator for")));
        live().statusCode(200);

        server.removeStub(silence);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> ready().statusCode(200));
    }

    @Test
    void aDiskShortOfSpaceStopsClaimsAndMakesTheRunnerUnready() {
        assemble(RUNTIME, quick(new HousekeepingConfig(Duration.ofDays(15), Long.MAX_VALUE, false)));
        startAttached();

        ready().statusCode(503).body("checks.find { it.name == 'runner' }.data.reason",
                matchesPattern("free disk space in .* is \\d+ MiB, below the minimum of \\d+ MiB"));
        server.verify(0, getRequestedFor(urlEqualTo("/tasks/pending")));
        live().statusCode(200);
    }

    @Test
    void aHostWithoutTheImageIsNotReadyAndClaimsNothingWhileItPullsTheImage() throws Exception {
        // Takes connections and never answers: the pull hangs in its TLS handshake for as long as the test needs.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String image = "127.0.0.1:" + silent.getLocalPort() + "/victoria-terminal:latest";
            assemble(RUNTIME, TestConfigs.runnerConfig(URI.create(server.baseUrl()), "token-1", tmp, Duration.ofSeconds(1),
                    Duration.ofSeconds(1), HousekeepingConfig.defaults(), image));
            startAttached();

            ready().statusCode(503).body("checks.find { it.name == 'runner' }.data.reason", equalTo("pulling image " + image));
            server.verify(0, getRequestedFor(urlEqualTo("/tasks/pending")));
        }
    }

    @Test
    void metricsAreServedOnTheManagementPortWithEveryRunnerMeter() {
        assemble(RUNTIME, quick(HousekeepingConfig.defaults()));
        startAttached();

        await().atMost(Duration.ofSeconds(10)).until(() -> pollsAnswered("empty") >= 2);
        String metrics = given().port(management.getPort()).get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(metrics).contains("victoria_runner_polls_total{outcome=\"task\"}",
                "victoria_runner_polls_total{outcome=\"error\"}", "victoria_runner_poll_latency_seconds_count",
                "victoria_runner_tasks_claimed_total", "victoria_runner_tasks_finished_total{outcome=\"succeeded\"}",
                "victoria_runner_tasks_finished_total{outcome=\"failed\"}",
                "victoria_runner_tasks_finished_total{outcome=\"timed_out\"}",
                "victoria_runner_tasks_finished_total{outcome=\"cancelled\"}",
                "victoria_runner_claim_to_start_seconds_bucket{le=\"1.0\"}", "victoria_runner_exit_to_report_seconds_bucket",
                "victoria_runner_heartbeat_failures_total", "victoria_runner_reconcile_actions_total{action=\"resumed\"}",
                "victoria_runner_files_downloaded_bytes_total");
        assertThat(metrics).containsPattern("(?m)^victoria_runner_tasks_running(\\{\\})? 0\\.0$")
                .containsPattern("(?m)^victoria_runner_outbox_depth(\\{\\})? 0\\.0$");
        // No main HTTP listener: the runner opens nothing but the loopback management port.
        assertThatThrownBy(() -> new Socket("127.0.0.1", 8081).close()).isInstanceOf(ConnectException.class);
    }

    private double pollsAnswered(String outcome) {
        String metrics = given().port(management.getPort()).get("/q/metrics").then().extract().asString();
        Matcher line = Pattern.compile("(?m)^victoria_runner_polls_total\\{outcome=\"" + outcome + "\"\\} (\\S+)$").matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }

    /** The age in whole seconds as the checks print it, a second more for a slow test. */
    private static String secondsPattern(Duration age) {
        return "(" + age.toSeconds() + "|" + (age.toSeconds() + 1) + ") s";
    }
}
