package com.elcanotek.victoria.runner.daemon;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.registered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.config.TestConfigs;
import com.elcanotek.victoria.runner.container.PodmanRuntime;
import com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/** When the runner's periodic calls to the orchestrator first run, as the daemon schedules them. */
@QuarkusTest
class RunnerScheduleTest {

    /** Long enough that a random phase almost never falls in the few seconds watched (3 s of 24 h). */
    private static final Duration LONG = Duration.ofHours(24);

    @RegisterExtension
    static WireMockOrchestrator server = new WireMockOrchestrator();

    @Inject
    Daemon daemon;

    @TempDir
    Path tmp;

    private Runner runner;

    @AfterEach
    void stopRunner() {
        if (runner != null) {
            runner.stop();
        }
    }

    @Test
    void theScheduledHeartbeatAndPollStartAtARandomPhaseNotWithStartUp() throws InterruptedException {
        server.stubFor(post("/register").willReturn(registered("key-1")));
        server.stubFor(post("/nodes/heartbeat").willReturn(ok()));
        server.stubFor(get("/tasks/pending").willReturn(okJson("null")));
        runner = daemon.create(TestConfigs.runnerConfig(URI.create(server.baseUrl()), "token-1", tmp, LONG, LONG),
                new PodmanRuntime(List.of("podman"), new ObjectMapper()), Clock.systemUTC());

        runner.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.lastPollTick().isPresent());
        // The scheduler fires due jobs every second: a job scheduled without a phase has run by now.
        Thread.sleep(3000);

        // Start-up's own beat and poll, and no second one: runners started together are not in lock-step.
        assertThat(server.findAll(postRequestedFor(urlEqualTo("/nodes/heartbeat")))).hasSize(1);
        assertThat(server.findAll(getRequestedFor(urlEqualTo("/tasks/pending")))).hasSize(1);
    }
}
