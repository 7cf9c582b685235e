package com.elcanotek.victoria.runner.orchestrator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import org.eclipse.microprofile.config.ConfigProvider;

import com.elcanotek.victoria.runner.network.NetworkSettings;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * WireMock standing in for the orchestrator, one server per test class on a free loopback port,
 * reset before each test; and runner clients pointed at it, retrying with the test profile's
 * {@code runner.retry.*} backoff as the daemon would. Register it as a static
 * {@code @RegisterExtension} field.
 */
public class WireMockOrchestrator extends WireMockExtension {

    public static final String NODE_ID = "5f0f7a52-3b1e-4c2a-9d8e-0a1b2c3d4e5f";
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    public WireMockOrchestrator() {
        super(WireMockExtension.newInstance().options(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")));
    }

    /** What the clients built here say they are. */
    public static final String USER_AGENT = "victoria-runner/0.0.0-test (debian 12; amd64; podman 4.3.1)";

    public Orchestrator client(Supplier<String> apiKey, ObjectMapper json, Clock clock) {
        return client(TIMEOUT, apiKey, json, clock);
    }

    public Orchestrator client(Duration readTimeout, Supplier<String> apiKey, ObjectMapper json, Clock clock) {
        var config = ConfigProvider.getConfig();
        Backoff.Policy retry = new Backoff.Policy(config.getValue("runner.retry.initial-delay", Duration.class),
                config.getValue("runner.retry.max-delay", Duration.class));
        return new Orchestrator(new ClientSettings(URI.create(baseUrl()), TIMEOUT, readTimeout, TIMEOUT,
                NetworkSettings.direct(), USER_AGENT, retry),
                apiKey, json, clock, new SecretMasker());
    }

    /** Every request received since the test began, oldest first. */
    public List<LoggedRequest> requests() {
        return findAll(anyRequestedFor(anyUrl()));
    }

    /** Answers one request after the other with {@code answers}; the last one repeats. */
    public void answerInTurn(Supplier<MappingBuilder> request, ResponseDefinitionBuilder... answers) {
        String scenario = UUID.randomUUID().toString();
        for (int i = 0; i < answers.length; i++) {
            ScenarioMappingBuilder turn = request.get().inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "turn " + i);
            if (i < answers.length - 1) {
                turn.willSetStateTo("turn " + (i + 1));
            }
            stubFor(turn.willReturn(answers[i]));
        }
    }

    /** The orchestrator's answer to registering node {@code node-1}, as the real server sends it. */
    public static ResponseDefinitionBuilder registered(String apiKey) {
        return okJson("""
                {"id": "%s", "api_key": "%s", "hostname": "host-1", "name": "node-1", "os_type": "debian",
                 "status": "idle", "last_heartbeat": null, "registered_at": "2025-06-01T10:00:00Z"}
                """.formatted(NODE_ID, apiKey));
    }

    /** An error answer with the server's {@code {"detail": ...}} body. */
    public static ResponseDefinitionBuilder refusal(int status, String detail) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"detail\": \"" + detail + "\"}");
    }
}
