package com.elcanotek.victoria.runner.orchestrator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

/**
 * A WireMock server standing in for the orchestrator, and runner clients pointed at it. Clients
 * retry with the test profile's {@code runner.retry.*} backoff, as the daemon would.
 */
public final class WireMockOrchestrator {

    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private WireMockOrchestrator() {
    }

    /** Started on a free loopback port; the caller stops it. */
    public static WireMockServer start() {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        return server;
    }

    public static Orchestrator client(WireMockServer server, Supplier<String> apiKey, ObjectMapper json, Clock clock) {
        return client(server, TIMEOUT, apiKey, json, clock);
    }

    public static Orchestrator client(WireMockServer server, Duration readTimeout, Supplier<String> apiKey,
            ObjectMapper json, Clock clock) {
        var config = ConfigProvider.getConfig();
        Backoff.Policy retry = new Backoff.Policy(config.getValue("runner.retry.initial-delay", Duration.class),
                config.getValue("runner.retry.max-delay", Duration.class));
        return new Orchestrator(new ClientSettings(URI.create(server.baseUrl()), TIMEOUT, readTimeout, TIMEOUT, null, retry),
                apiKey, json, clock);
    }

    /** The orchestrator's answer to a registration, as the real server sends it. */
    public static ResponseDefinitionBuilder registered(String nodeId, String apiKey, String name) {
        return okJson("""
                {"id": "%s", "api_key": "%s", "hostname": "host-1", "name": "%s", "os_type": "debian",
                 "status": "idle", "last_heartbeat": null, "registered_at": "2025-06-01T10:00:00Z"}
                """.formatted(nodeId, apiKey, name));
    }

    /** An error answer with the server's {@code {"detail": ...}} body. */
    public static ResponseDefinitionBuilder refusal(int status, String detail) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"detail\": \"" + detail + "\"}");
    }

    /** Answers one request after the other with {@code answers}; the last one repeats. */
    public static void answerInTurn(WireMockServer server, Supplier<MappingBuilder> request,
            ResponseDefinitionBuilder... answers) {
        String scenario = UUID.randomUUID().toString();
        for (int i = 0; i < answers.length; i++) {
            ScenarioMappingBuilder turn = request.get().inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "turn " + i);
            if (i < answers.length - 1) {
                turn.willSetStateTo("turn " + (i + 1));
            }
            server.stubFor(turn.willReturn(answers[i]));
        }
    }
}
