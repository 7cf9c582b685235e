package com.elcanotek.victoria.runner.node;

import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.NODE_ID;
import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.refusal;
import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.registered;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.elcanotek.victoria.runner.LogCapture;
import com.elcanotek.victoria.runner.ShiftedClock;
import com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator;
import com.elcanotek.victoria.runner.state.Layout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.junit.QuarkusTest;

/** Register once, reuse the stored identity across restarts, register again only when refused. */
@QuarkusTest
class RegistrationTest {

    private static final String TOKEN = "registration-token-1";

    @RegisterExtension
    static WireMockOrchestrator server = new WireMockOrchestrator();

    @Inject
    ObjectMapper json;

    @TempDir
    Path tmp;

    private Path stateDir;
    private final AtomicReference<Optional<String>> heartbeatTask = new AtomicReference<>(Optional.empty());
    private final AtomicReference<Optional<String>> hostTrouble = new AtomicReference<>(Optional.empty());

    @BeforeEach
    void stateDirIn() {
        stateDir = tmp.resolve("state");
    }

    private TestNode start() {
        return start(server.baseUrl(), "node-1");
    }

    private TestNode start(String orchestratorUrl, String name) {
        return TestNode.start(server, json, stateDir, TOKEN, orchestratorUrl, name, heartbeatTask::get, hostTrouble::get, Clock.systemUTC());
    }

    /** A node registered with key-1, whose heartbeats the orchestrator takes. */
    private TestNode registeredNode() {
        server.stubFor(post("/register").willReturn(registered("key-1")));
        server.stubFor(post("/nodes/heartbeat").willReturn(ok()));
        TestNode node = start();
        node.registration().ensure();
        return node;
    }

    @Test
    void firstStartRegistersAndStoresTheIdentityPrivately() throws Exception {
        server.stubFor(post("/register").willReturn(registered("key-1")));

        Credentials credentials = start().registration().ensure();

        assertThat(credentials.nodeId()).isEqualTo(NODE_ID);
        assertThat(credentials.apiKey()).isEqualTo("key-1");
        Path file = stateDir.resolve("credentials.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir))).isEqualTo("rwx------");
        JsonNode stored = json.readTree(file.toFile());
        assertThat(stored.path("node_id").asText()).isEqualTo(NODE_ID);
        assertThat(stored.path("api_key").asText()).isEqualTo("key-1");
        assertThat(stored.path("orchestrator_url").asText()).isEqualTo(server.baseUrl());
    }

    @Test
    void restartReusesTheStoredIdentityWithoutRegistering() {
        registeredNode();

        TestNode restarted = start();
        Credentials reused = restarted.registration().ensure();

        assertThat(reused.apiKey()).isEqualTo("key-1");
        assertThat(restarted.heartbeat().beat()).isTrue();
        assertThat(registrations()).hasSize(1);
        assertThat(heartbeatKeys()).containsExactly("key-1");
    }

    @Test
    void anotherOrchestratorUrlRegistersAgain() {
        server.stubFor(post("/register").willReturn(registered("key-1")));
        start().registration().ensure();

        start("https://other.example", "node-1").registration().ensure();

        assertThat(registrations()).hasSize(2);
    }

    @ParameterizedTest
    @CsvSource({ "https://atq.example, https://atq.example/", "https://atq.example/, https://ATQ.Example",
            "https://atq.example:443, HTTPS://atq.example", "http://atq.example/api//, http://atq.example:80/api" })
    void theStoredIdentityIsReusedHoweverTheOrchestratorUrlIsSpelled(String stored, String configured) {
        storeKey1For(stored);

        assertThat(start(configured, "node-1").registration().ensure().apiKey()).isEqualTo("key-1");

        assertThat(registrations()).isEmpty();
    }

    @Test
    void aNameThatHoldsATaskIsKeptWithTheStoredKeyWhenTheOrchestratorTakesItsHeartbeat() throws Exception {
        // Stored under another spelling that no normalisation makes the same: the orchestrator itself tells.
        storeKey1For("http://127.0.0.1:1");
        server.stubFor(post("/register").willReturn(refusal(409, "Node has an active task and cannot be re-registered")));
        server.stubFor(post("/nodes/heartbeat").withHeader("X-API-Key", equalTo("key-1")).willReturn(ok()));
        TestNode node = start();

        Credentials kept = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> node.registration().ensure());

        assertThat(kept.apiKey()).isEqualTo("key-1");
        assertThat(registrations()).hasSize(1);
        assertThat(heartbeatBodies()).containsExactly(json.readTree("""
                {"node_id": "%s", "status": "idle", "current_task_id": null}""".formatted(NODE_ID)));
        assertThat(node.store().load().orElseThrow().orchestratorUrl()).isEqualTo(server.baseUrl());
        // Kept for the next start: no registration, no heartbeat before the runner's own.
        assertThat(start().registration().ensure().apiKey()).isEqualTo("key-1");
        assertThat(registrations()).hasSize(1);
        assertThat(heartbeatKeys()).hasSize(1);
    }

    @Test
    void aNameThatHoldsATaskWhoseStoredKeyIsRefusedWaitsUntilItCanRegister() {
        storeKey1For("http://127.0.0.1:1");
        server.answerInTurn(() -> post("/register"), refusal(409, "Node has an active task and cannot be re-registered"),
                refusal(409, "Node has an active task and cannot be re-registered"), registered("key-2"));
        server.stubFor(post("/nodes/heartbeat").willReturn(refusal(401, "Invalid API key")));

        Credentials registered = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> start().registration().ensure());

        assertThat(registered.apiKey()).isEqualTo("key-2");
        assertThat(registrations()).hasSize(3);
        assertThat(heartbeatKeys()).as("the stored key, tried once").containsExactly("key-1");
    }

    @Test
    void keysRefusedOneAfterTheOtherRegisterAgainAtOnceThenAfterPausesThatGrow() {
        server.answerInTurn(() -> post("/register"), registered("key-1"), registered("key-2"), registered("key-3"),
                registered("key-4"), registered("key-5"));
        server.stubFor(post("/nodes/heartbeat").willReturn(refusal(401, "Invalid API key")));
        ShiftedClock clock = new ShiftedClock();
        TestNode node = TestNode.start(server, json, stateDir, TOKEN, server.baseUrl(), "node-1", heartbeatTask::get, Optional::empty, clock);
        node.registration().ensure();

        node.heartbeat().beat();
        assertThat(registrations()).as("the first refusal registers at once").hasSize(2);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(10));
            node.heartbeat().beat();
        }
        assertThat(registrations()).as("a burst of refusals within the first minute registers no more").hasSize(2);
        clock.advance(Duration.ofSeconds(10));
        node.heartbeat().beat();
        assertThat(registrations()).hasSize(3);
        clock.advance(Duration.ofSeconds(110));
        node.heartbeat().beat();
        assertThat(registrations()).as("then two minutes").hasSize(3);
        clock.advance(Duration.ofSeconds(10));
        node.heartbeat().beat();
        assertThat(registrations()).hasSize(4);
        // A key that lasted long was no burst: the next refusal registers after the first pause again.
        clock.advance(Duration.ofHours(1));
        node.heartbeat().beat();
        clock.advance(Duration.ofSeconds(61));
        node.heartbeat().beat();
        assertThat(registrations()).hasSize(6);
        assertThat(node.store().load().orElseThrow().apiKey()).isEqualTo("key-5");
    }

    @Test
    void anotherNameRegistersAgain() {
        server.stubFor(post("/register").willReturn(registered("key-1")));
        start().registration().ensure();

        start(server.baseUrl(), "node-2").registration().ensure();

        assertThat(registrations()).hasSize(2);
    }

    @Test
    void anUnreadableCredentialsFileMeansRegisteringAgain() throws Exception {
        server.stubFor(post("/register").willReturn(registered("key-1")));
        Files.createDirectories(stateDir);
        Files.writeString(stateDir.resolve("credentials.json"), "{\"node_id\": ");

        assertThat(start().registration().ensure().apiKey()).isEqualTo("key-1");
        assertThat(registrations()).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource({ "401, Invalid API key", "404, Node not found" })
    void aRefusedHeartbeatRegistersAgainAndTheNewKeyIsUsedAndStored(int status, String detail) {
        server.answerInTurn(() -> post("/register"), registered("key-1"), registered("key-2"));
        server.stubFor(post("/nodes/heartbeat").willReturn(refusal(status, detail)));
        server.stubFor(post("/nodes/heartbeat").withHeader("X-API-Key", equalTo("key-2")).willReturn(ok()));
        TestNode node = start();
        node.registration().ensure();

        assertThat(node.heartbeat().beat()).isFalse();
        assertThat(node.heartbeat().beat()).isTrue();

        assertThat(registrations()).hasSize(2);
        assertThat(heartbeatKeys()).containsExactly("key-1", "key-2");
        assertThat(node.store().load().orElseThrow().apiKey()).isEqualTo("key-2");
    }

    @Test
    void aHeartbeatServerErrorIsLoggedAndTheNextBeatGoesOn() {
        server.stubFor(post("/register").willReturn(registered("key-1")));
        server.answerInTurn(() -> post("/nodes/heartbeat"), refusal(500, "Internal Server Error"), ok());
        TestNode node = start();
        node.registration().ensure();

        try (LogCapture log = LogCapture.start()) {
            assertThat(node.heartbeat().beat()).isFalse();
            // Said once, as the start of an outage: the beats failing after it are debug lines.
            assertThat(log.atLeast(Level.WARNING)).singleElement().asString()
                    .contains("POST /nodes/heartbeat").contains("500").contains("Internal Server Error");
        }
        assertThat(node.heartbeat().beat()).isTrue();
        assertThat(registrations()).hasSize(1);
    }

    @Test
    void anIdleHeartbeatNamesNoTask() throws Exception {
        registeredNode().heartbeat().beat();

        assertThat(heartbeatBodies()).containsExactly(json.readTree("""
                {"node_id": "%s", "status": "idle", "current_task_id": null}""".formatted(NODE_ID)));
    }

    @Test
    void aBusyHeartbeatNamesTheTaskWhoseLeaseMatters() throws Exception {
        TestNode node = registeredNode();
        heartbeatTask.set(Optional.of("22222222-0000-0000-0000-000000000000"));

        node.heartbeat().beat();

        assertThat(heartbeatBodies()).containsExactly(json.readTree("""
                {"node_id": "%s", "status": "busy", "current_task_id": "22222222-0000-0000-0000-000000000000"}"""
                .formatted(NODE_ID)));
    }

    @Test
    void anIdleNodeWhoseHostCannotTakeWorkSaysErrorUntilItCanAgain() throws Exception {
        TestNode node = registeredNode();
        hostTrouble.set(Optional.of("claiming stopped: the image cannot be pulled"));
        node.heartbeat().beat();
        hostTrouble.set(Optional.empty());
        node.heartbeat().beat();

        assertThat(heartbeatBodies()).containsExactly(json.readTree("""
                {"node_id": "%s", "status": "error", "current_task_id": null}""".formatted(NODE_ID)), json.readTree("""
                {"node_id": "%s", "status": "idle", "current_task_id": null}""".formatted(NODE_ID)));
        assertThat(server.requests()).allSatisfy(request -> assertThat(request.getHeader("User-Agent"))
                .isEqualTo(WireMockOrchestrator.USER_AGENT));
    }

    @Test
    void aBusyNodeStaysBusyWhateverTheHost() throws Exception {
        TestNode node = registeredNode();
        heartbeatTask.set(Optional.of("22222222-0000-0000-0000-000000000000"));
        hostTrouble.set(Optional.of("free disk space is below the minimum"));

        node.heartbeat().beat();

        assertThat(heartbeatBodies()).containsExactly(json.readTree("""
                {"node_id": "%s", "status": "busy", "current_task_id": "22222222-0000-0000-0000-000000000000"}"""
                .formatted(NODE_ID)));
    }

    @Test
    void noHeartbeatBeforeRegistration() {
        assertThat(start().heartbeat().beat()).isFalse();
        assertThat(server.requests()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "401 | Invalid registration token | Registration failed - invalid registration token",
            "503 | Registration is disabled: no REGISTRATION_TOKEN | Registration failed - orchestrator has registration disabled" })
    void aWrongTokenOrDisabledRegistrationIsRefusedAtOnce(int status, String detail, String message) {
        server.stubFor(post("/register").willReturn(refusal(status, detail)));

        assertThatThrownBy(() -> start().registration().ensure()).isInstanceOf(RegistrationRefused.class)
                .hasMessage(message);
        assertThat(registrations()).hasSize(1);
        assertThat(stateDir.resolve("credentials.json")).doesNotExist();
    }

    /** What an earlier start stored: node-1 with key-1, registered with the orchestrator at {@code url}. */
    private void storeKey1For(String url) {
        new CredentialsStore(new Layout(stateDir, tmp.resolve("Victoria")).credentials(), json).save(new Credentials(NODE_ID, "key-1", "node-1", url, "2025-06-01T10:00:00Z"));
    }

    private static List<LoggedRequest> registrations() {
        return server.findAll(postRequestedFor(urlEqualTo("/register")));
    }

    private static List<LoggedRequest> heartbeats() {
        return server.findAll(postRequestedFor(urlEqualTo("/nodes/heartbeat")));
    }

    private static List<String> heartbeatKeys() {
        return heartbeats().stream().map(r -> r.getHeader("X-API-Key")).toList();
    }

    private List<JsonNode> heartbeatBodies() throws Exception {
        List<JsonNode> bodies = new ArrayList<>();
        for (LoggedRequest request : heartbeats()) {
            bodies.add(json.readTree(request.getBodyAsString()));
        }
        return bodies;
    }
}
