package com.elcanotek.victoria.runner.health;

import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.NODE_ID;
import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.registered;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.config.TestConfigs;
import com.elcanotek.victoria.runner.daemon.Daemon;
import com.elcanotek.victoria.runner.daemon.Runner;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.PodmanRuntime;
import com.elcanotek.victoria.runner.daemon.Runners;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Readiness and liveness on the management port, fed by a real {@link Runner} as the daemon
 * assembles it, talking to a fake orchestrator. A shifted clock makes its contact and poll old.
 */
@QuarkusTest
class HealthTest {

    /** The podman the tests run with; it must answer for the runner to be ready. */
    private static final ContainerRuntime RUNTIME = new PodmanRuntime(List.of("podman"), new ObjectMapper());
    /** A runtime that cannot answer. */
    private static final ContainerRuntime MISSING = new PodmanRuntime(List.of("/nonexistent/podman"), new ObjectMapper());

    @RegisterExtension
    static WireMockOrchestrator server = new WireMockOrchestrator();

    @Inject
    Daemon daemon;

    @Inject
    RunnerHealth health;

    @TempDir
    Path tmp;

    private final ShiftedClock clock = new ShiftedClock();
    private Runner runner;

    /** The system clock, moved back by {@link #shift}: what it stamps is that old. */
    static final class ShiftedClock extends Clock {
        volatile Duration shift = Duration.ZERO;

        @Override
        public Instant instant() {
            return Instant.now().minus(shift);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

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
        runner = Runners.create(daemon, TestConfigs.runnerConfig(URI.create(server.baseUrl()), "token-1", tmp),
                runtime, clock);
        return runner;
    }

    private void startAttached() {
        health.attach(runner);
        runner.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.lastPollTick().isPresent());
    }

    private static ValidatableResponse ready() {
        return given().port(9001).get("/q/health/ready").then();
    }

    private static ValidatableResponse live() {
        return given().port(9001).get("/q/health/live").then();
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
                .body("checks.find { it.name == 'runner' }.data.reason", equalTo("container runtime not found"));
    }

    @Test
    void contactOlderThanItsMaxAgeMakesTheRunnerUnreadyButNotUnlive() {
        clock.shift = assemble(RUNTIME).contactMaxAge().plusSeconds(10);
        startAttached();

        ready().statusCode(503).body("checks.find { it.name == 'runner' }.data.reason",
                matchesPattern("no contact with the orchestrator for " + secondsPattern(clock.shift)));
        live().statusCode(200);
    }

    @Test
    void aPollTickOlderThanItsMaxSilenceMakesTheRunnerUnlive() {
        clock.shift = assemble(RUNTIME).pollMaxSilence().plusSeconds(10);
        startAttached();

        live().statusCode(503)
                .body("checks.find { it.name == 'task-loop' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'task-loop' }.data.reason", matchesPattern("no poll for " + secondsPattern(clock.shift)));
    }

    /** The age in whole seconds as the checks print it, a second more for a slow test. */
    private static String secondsPattern(Duration age) {
        return "(" + age.toSeconds() + "|" + (age.toSeconds() + 1) + ") s";
    }
}
