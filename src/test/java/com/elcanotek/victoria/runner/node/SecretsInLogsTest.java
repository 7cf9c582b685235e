package com.elcanotek.victoria.runner.node;

import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.NODE_ID;
import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.refusal;
import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.registered;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.LogCapture;
import com.elcanotek.victoria.runner.config.TestConfigs;
import com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator;
import com.elcanotek.victoria.runner.orchestrator.NodeRegistration;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/** The registration token and the node key never reach a log line, an error message or a toString(). */
@QuarkusTest
class SecretsInLogsTest {

    private static final String TOKEN = "tok-SECRET-123";
    private static final String KEY = "key-SECRET-456";

    @RegisterExtension
    static WireMockOrchestrator server = new WireMockOrchestrator();

    @Inject
    ObjectMapper json;

    @TempDir
    Path tmp;

    @Test
    void registrationHeartbeatsAndRefusalsLogNoSecret() {
        // A retried registration, a refused heartbeat that registers again, a good heartbeat, and a wrong token.
        server.answerInTurn(() -> post("/register"), refusal(500, "Internal Server Error"),
                registered(KEY));
        server.answerInTurn(() -> post("/nodes/heartbeat"), refusal(401, "Invalid API key"), ok());
        List<String> seen = new ArrayList<>();

        try (LogCapture log = LogCapture.start()) {
            TestNode node = TestNode.start(server, json, tmp.resolve("state"), TOKEN, server.baseUrl(), "node-1",
                    Optional::empty);
            seen.add(node.registration().ensure().toString());
            node.heartbeat().beat();
            node.heartbeat().beat();
            server.stubFor(post("/register").willReturn(refusal(401, "Invalid registration token")));
            TestNode refused = TestNode.start(server, json, tmp.resolve("other"), TOKEN, server.baseUrl(), "node-1",
                    Optional::empty);
            seen.add(catchThrowable(() -> refused.registration().ensure()).toString());
            seen.addAll(log.lines());
        }

        assertThat(seen).as("captured lines").anyMatch(line -> line.contains("Registered as node " + NODE_ID))
                .anyMatch(line -> line.contains("Heartbeat sent")).anyMatch(line -> line.contains("Heartbeat refused"))
                .anyMatch(line -> line.contains("invalid registration token"));
        assertThat(seen).noneMatch(line -> line.contains(TOKEN) || line.contains(KEY));
    }

    @Test
    void toStringHidesTheSecrets() {
        List<String> printed = List.of(
                new Credentials(NODE_ID, KEY, "node-1", "https://o.example", "2025-06-01T10:00:00Z").toString(),
                new NodeRegistration(NODE_ID, KEY, "node-1", "2025-06-01T10:00:00Z").toString(),
                TestConfigs.runnerConfig(URI.create("https://o.example"), TOKEN, tmp).toString());

        assertThat(printed).allMatch(text -> text.contains("node-1")).noneMatch(text -> text.contains(TOKEN) || text.contains(KEY));
    }
}
