package com.elcanotek.victoria.runner.orchestrator;

import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.NODE_ID;
import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.refusal;
import static com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator.registered;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.elcanotek.victoria.runner.LogCapture;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.junit.QuarkusTest;

/** The wire contract of PROTOCOL.md, request by request and answer by answer. */
@QuarkusTest
class OrchestratorContractTest {

    private static final String TASK_ID = "0d3c8b1a-7e6f-4a5b-8c9d-112233445566";
    private static final String KEY = "node-key-1";
    private static final String TOKEN = "registration-token-1";
    private static final RegisterRequest IDENTITY = new RegisterRequest("host-1", "node-1", "debian");

    @RegisterExtension
    static WireMockOrchestrator server = new WireMockOrchestrator();

    @Inject
    ObjectMapper json;

    private Orchestrator orchestrator;

    /** The two reports that are retried; both are refused and retried alike. */
    enum Report {
        STATUS("/status", o -> o.status(StatusUpdate.of(TASK_ID, TaskStatus.RUNNING, null))),
        LOGS("/logs", o -> o.logs(new LogSubmission(TASK_ID, new SessionLog("s1", "t", 1, 2, 0.5, 10, 20, List.of()))));

        final String path;
        final Consumer<Orchestrator> send;

        Report(String path, Consumer<Orchestrator> send) {
            this.path = path;
            this.send = send;
        }
    }

    @BeforeEach
    void newClient() {
        orchestrator = client(WireMockOrchestrator.TIMEOUT);
    }

    private Orchestrator client(Duration readTimeout) {
        return server.client(readTimeout, () -> KEY, json, Clock.systemUTC());
    }

    // ---- requests ----

    @Test
    void registerSendsTheTokenNotTheKeyAndTheIdentity() throws Exception {
        server.stubFor(post("/register").willReturn(registered("new-key")));

        NodeRegistration answer = orchestrator.register(TOKEN, IDENTITY);

        LoggedRequest request = onlyRequest();
        assertThat(request.getMethod().getName()).isEqualTo("POST");
        assertThat(request.getUrl()).isEqualTo("/register");
        assertThat(request.getHeader("X-Registration-Token")).isEqualTo(TOKEN);
        assertThat(request.containsHeader("X-API-Key")).isFalse();
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        assertThat(bodyOf(request)).isEqualTo(json.readTree("""
                {"hostname": "host-1", "name": "node-1", "os_type": "debian"}"""));
        assertThat(answer).isEqualTo(new NodeRegistration(NODE_ID, "new-key", "node-1", "2025-06-01T10:00:00Z"));
    }

    @Test
    void idleHeartbeatSendsTheKeyAndAnExplicitNullTask() throws Exception {
        server.stubFor(post("/nodes/heartbeat").willReturn(okJson("{\"id\": \"" + NODE_ID + "\", \"api_key\": \"not-a-key\"}")));

        orchestrator.heartbeat(new HeartbeatRequest(NODE_ID, NodeStatus.IDLE, null));

        LoggedRequest request = onlyRequest();
        assertSentWithKey(request, "POST", "/nodes/heartbeat");
        assertThat(bodyOf(request)).isEqualTo(json.readTree("""
                {"node_id": "%s", "status": "idle", "current_task_id": null}""".formatted(NODE_ID)));
    }

    @ParameterizedTest
    @EnumSource(NodeStatus.class)
    void heartbeatStatusIsLowerCase(NodeStatus status) throws Exception {
        server.stubFor(post("/nodes/heartbeat").willReturn(ok()));

        orchestrator.heartbeat(new HeartbeatRequest(NODE_ID, status, TASK_ID));

        assertThat(bodyOf(onlyRequest())).isEqualTo(json.readTree("""
                {"node_id": "%s", "status": "%s", "current_task_id": "%s"}"""
                .formatted(NODE_ID, status.name().toLowerCase(), TASK_ID)));
    }

    @Test
    void claimReadsATaskIgnoringUnknownFieldsWithDefaultTimeout() {
        server.stubFor(get("/tasks/pending").willReturn(okJson("""
                {"task_id": "%s", "prompt": "Summarise the report", "orchestrator_url": "",
                 "files": ["a.csv", "b c.pdf"], "file_checksums": ["%s", ""],
                 "model": "m", "fallback_model": null, "max_iterations": 12,
                 "mcp_selection": {"servers": ["x"]}, "credential_allowlist": ["k"]}
                """.formatted(TASK_ID, "ab".repeat(32)))));

        TaskAssignment task = orchestrator.claimNextTask().orElseThrow();

        assertSentWithKey(onlyRequest(), "GET", "/tasks/pending");
        assertThat(task).isEqualTo(new TaskAssignment(TASK_ID, "Summarise the report", "", null,
                List.of("a.csv", "b c.pdf"), List.of("ab".repeat(32), "")));
        assertThat(task.effectiveTimeoutSeconds()).isEqualTo(3600);
    }

    @Test
    void claimReadsTheTimeoutWhenSent() {
        server.stubFor(get("/tasks/pending").willReturn(okJson("""
                {"task_id": "%s", "prompt": "p", "orchestrator_url": "https://o.example", "timeout_seconds": 120}
                """.formatted(TASK_ID))));

        assertThat(orchestrator.claimNextTask().orElseThrow().effectiveTimeoutSeconds()).isEqualTo(120);
    }

    @ParameterizedTest
    @CsvSource({ "600.0, 600", "1.5, 2", "1e12, 2147483647", "99999999999999999999999, 2147483647", "0, 3600",
            "-5, 3600", "-1e30, 3600" })
    void claimTakesAnyNumberAsTheTimeoutInWholeSeconds(String sent, int effective) {
        server.stubFor(get("/tasks/pending").willReturn(okJson("""
                {"task_id": "%s", "prompt": "p", "timeout_seconds": %s}
                """.formatted(TASK_ID, sent))));

        assertThat(orchestrator.claimNextTask().orElseThrow().effectiveTimeoutSeconds()).isEqualTo(effective);
    }

    @Test
    void claimOfTheJsonNullIsEmpty() {
        server.stubFor(get("/tasks/pending").willReturn(okJson("null")));

        assertThat(orchestrator.claimNextTask()).isEmpty();
    }

    @Test
    void statusOmitsNullFields() throws Exception {
        server.stubFor(post("/status").willReturn(ok()));

        orchestrator.status(new StatusUpdate(TASK_ID, TaskStatus.RUNNING, null, null));

        LoggedRequest request = onlyRequest();
        assertSentWithKey(request, "POST", "/status");
        assertThat(bodyOf(request)).isEqualTo(json.readTree("""
                {"task_id": "%s", "status": "running"}""".formatted(TASK_ID)));
    }

    @ParameterizedTest
    @EnumSource(TaskStatus.class)
    void statusSendsLowerCaseStatusMessageAndTimestamp(TaskStatus status) throws Exception {
        server.stubFor(post("/status").willReturn(ok()));

        orchestrator.status(new StatusUpdate(TASK_ID, status, "done", "2025-06-01T10:00:00Z"));

        assertThat(bodyOf(onlyRequest())).isEqualTo(json.readTree("""
                {"task_id": "%s", "status": "%s", "message": "done", "timestamp": "2025-06-01T10:00:00Z"}"""
                .formatted(TASK_ID, status.name().toLowerCase())));
    }

    @Test
    void logsSendTheSessionWithWireFieldNames() throws Exception {
        server.stubFor(post("/logs").willReturn(ok()));
        SessionMessage message = new SessionMessage("m1", "assistant", "[{\"type\":\"text\"}]", "gpt", "openai", 11L, 12L);

        orchestrator.logs(new LogSubmission(TASK_ID, new SessionLog("s1", "title", 5, 7, 0.25, 10, 20, List.of(message))));

        LoggedRequest request = onlyRequest();
        assertSentWithKey(request, "POST", "/logs");
        assertThat(bodyOf(request)).isEqualTo(json.readTree("""
                {"task_id": "%s", "session": {"id": "s1", "title": "title", "prompt_tokens": 5, "completion_tokens": 7,
                  "cost": 0.25, "created_at": 10, "updated_at": 20,
                  "messages": [{"id": "m1", "role": "assistant", "content": "[{\\"type\\":\\"text\\"}]", "model": "gpt",
                                "provider": "openai", "created_at": 11, "finished_at": 12}]}}
                """.formatted(TASK_ID)));
    }

    @Test
    void fileAnswerExposesTheChecksumHeaderAndTheBytes() {
        server.stubFor(get("/files/my%20report.pdf").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/octet-stream")
                .withHeader("X-Checksum-SHA256", "cd".repeat(32)).withBody(new byte[] { 1, 2, 3 })));

        try (Response response = orchestrator.file("my report.pdf", 0)) {
            assertThat(response.getHeaderString(OrchestratorApi.CHECKSUM_HEADER)).isEqualTo("cd".repeat(32));
            assertThat(response.readEntity(byte[].class)).containsExactly(1, 2, 3);
        }
        assertSentWithKey(onlyRequest(), "GET", "/files/my%20report.pdf");
    }

    @ParameterizedTest
    @CsvSource({ "my report.pdf, my%20report.pdf", "a?b.txt, a%3Fb.txt", "c#d.txt, c%23d.txt", "g/h.txt, g%2Fh.txt",
            "e%20f.txt, e%2520f.txt", "\u00fc.txt, %C3%BC.txt" })
    void fileNamesArePercentEncodedAsOnePathSegment(String name, String encoded) {
        server.stubFor(get(anyUrl()).willReturn(ok()));

        orchestrator.file(name, 0).close();

        assertThat(onlyRequest().getUrl()).isEqualTo("/files/" + encoded);
    }

    // ---- refusals: never retried ----

    static Stream<Arguments> refusedReports() {
        return Stream.of(Report.values()).flatMap(report -> Stream.of(
                Arguments.of(report, 400, "Invalid task status"),
                Arguments.of(report, 401, "Invalid API key"),
                Arguments.of(report, 403, "Node is not assigned to this task"),
                Arguments.of(report, 404, "Task not found"),
                Arguments.of(report, 409, "Conflict"),
                Arguments.of(report, 413, "Request body too large")));
    }

    @ParameterizedTest
    @MethodSource("refusedReports")
    void refusedReportsFailWithTheServersDetailAndAreNotRetried(Report report, int status, String detail) {
        server.stubFor(post(report.path).willReturn(refusal(status, detail)));

        OrchestratorException failure = catchThrowableOfType(OrchestratorException.class, () -> report.send.accept(orchestrator));

        assertThat(failure.status()).isEqualTo(status);
        assertThat(failure.getMessage()).contains(detail);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void fileRefusalsCarryStatusAndDetail() {
        server.stubFor(get("/files/secret.txt").willReturn(refusal(403, "File access denied")));
        server.stubFor(get("/files/gone.txt").willReturn(refusal(404, "File not found")));

        assertThat(catchThrowableOfType(OrchestratorException.class, () -> orchestrator.file("secret.txt", 0)))
                .returns(403, OrchestratorException::status).hasMessageContaining("File access denied");
        assertThat(catchThrowableOfType(OrchestratorException.class, () -> orchestrator.file("gone.txt", 0)))
                .returns(404, OrchestratorException::status).hasMessageContaining("File not found");
    }

    @Test
    void anErrorBodyWithoutDetailStillGivesTheStatus() {
        server.stubFor(post("/status").willReturn(aResponse().withStatus(404).withBody("<html>nope</html>")));

        assertThat(catchThrowableOfType(OrchestratorException.class, () -> Report.STATUS.send.accept(orchestrator)))
                .returns(404, OrchestratorException::status).hasMessageContaining("<html>nope</html>");
    }

    /** A proxy sending plain HTTP to HTTPS: the report did not arrive, and must not pass for one that did. */
    @ParameterizedTest
    @EnumSource(Report.class)
    void aRedirectIsNotTakenForSuccess(Report report) {
        server.stubFor(post(report.path).willReturn(aResponse().withStatus(301)
                .withHeader("Location", "https://orchestrator.example" + report.path)));

        assertThat(catchThrowableOfType(OrchestratorException.class, () -> report.send.accept(orchestrator)))
                .returns(301, OrchestratorException::status).hasMessageContaining("https://orchestrator.example");
        assertThat(server.requests()).hasSize(1);
        assertThat(orchestrator.lastContact()).isPresent();
    }

    // ---- transient failures ----

    static Stream<Arguments> transientReportFailures() {
        return Stream.of(Report.values()).flatMap(report -> Stream.of(
                Arguments.of(report, serverError()),
                Arguments.of(report, refusal(503, "Service Unavailable")),
                Arguments.of(report, refusal(429, "Rate limit exceeded")),
                Arguments.of(report, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))));
    }

    @ParameterizedTest
    @MethodSource("transientReportFailures")
    void transientReportFailuresAreRetriedUntilTheServerTakesTheReport(Report report, ResponseDefinitionBuilder failure) {
        server.answerInTurn(() -> post(report.path), failure, failure, ok());

        report.send.accept(orchestrator);

        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void reportsGiveUpAfterFiveRetries() {
        server.stubFor(post("/status").willReturn(refusal(500, "Internal Server Error")));

        assertThat(catchThrowableOfType(OrchestratorException.class, () -> Report.STATUS.send.accept(orchestrator)))
                .returns(500, OrchestratorException::status);
        assertThat(server.requests()).hasSize(6);
    }

    @Test
    void retryAfterIsWaitedFor() {
        server.answerInTurn(() -> post("/status"),
                refusal(429, "Rate limit exceeded").withHeader("Retry-After", "1"), ok());

        Report.STATUS.send.accept(orchestrator);

        List<Long> times = server.requests().stream()
                .map(r -> r.getLoggedDate().getTime()).sorted(Comparator.naturalOrder()).toList();
        assertThat(times).hasSize(2);
        assertThat(times.get(1) - times.get(0)).isGreaterThanOrEqualTo(900);
    }

    static Stream<Arguments> oneShotCalls() {
        return Stream.of(
                Arguments.of(post("/nodes/heartbeat"), (Consumer<Orchestrator>) o -> o.heartbeat(
                        new HeartbeatRequest(NODE_ID, NodeStatus.IDLE, null))),
                Arguments.of(get("/tasks/pending"), (Consumer<Orchestrator>) Orchestrator::claimNextTask));
    }

    /** The heartbeat's next beat is its retry; a retried claim could claim a second task. */
    @ParameterizedTest
    @MethodSource("oneShotCalls")
    void heartbeatAndClaimAreNeverRetried(MappingBuilder request, Consumer<Orchestrator> call) {
        server.stubFor(request.willReturn(refusal(503, "Service Unavailable")));

        assertThat(catchThrowableOfType(OrchestratorException.class, () -> call.accept(orchestrator)))
                .returns(503, OrchestratorException::status).returns(true, OrchestratorException::isTransient);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void connectionResetIsATransientFailureWithoutStatus() {
        server.stubFor(post("/nodes/heartbeat").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        OrchestratorException failure = catchThrowableOfType(OrchestratorException.class,
                () -> orchestrator.heartbeat(new HeartbeatRequest(NODE_ID, NodeStatus.IDLE, null)));

        assertThat(failure.status()).isEqualTo(OrchestratorException.NO_ANSWER);
        assertThat(failure.isTransient()).isTrue();
    }

    @Test
    void anAnswerSlowerThanTheReadTimeoutIsNoAnswer() {
        server.stubFor(post("/nodes/heartbeat").willReturn(ok().withFixedDelay(3000)));
        Orchestrator impatient = client(Duration.ofSeconds(1));

        OrchestratorException failure = catchThrowableOfType(OrchestratorException.class,
                () -> impatient.heartbeat(new HeartbeatRequest(NODE_ID, NodeStatus.IDLE, null)));

        assertThat(failure.status()).isEqualTo(OrchestratorException.NO_ANSWER);
        assertThat(failure.getMessage()).containsIgnoringCase("timeout");
        assertThat(impatient.lastContact()).isEmpty();
    }

    /**
     * A byte every half second never leaves the connection idle for the read timeout: the answer as a whole must
     * still come within connect plus read timeout, or a poll, a beat or a report could wait for hours.
     */
    @ParameterizedTest
    @MethodSource("tricklableCalls")
    void anAnswerTrickledOverLongerThanTheTimeoutsIsNoAnswer(MappingBuilder request, Consumer<Orchestrator> call) {
        server.stubFor(request.willReturn(okJson("{\"padding\": \"" + "x".repeat(60) + "\"}").withChunkedDribbleDelay(40, 20_000)));
        Orchestrator impatient = client(Duration.ofSeconds(1));
        long start = System.nanoTime();

        OrchestratorException failure = catchThrowableOfType(OrchestratorException.class, () -> call.accept(impatient));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WireMockOrchestrator.TIMEOUT.plusSeconds(4));
        assertThat(failure.status()).isEqualTo(OrchestratorException.NO_ANSWER);
        assertThat(failure.isTransient()).isTrue();
    }

    static Stream<Arguments> tricklableCalls() {
        return Stream.of(
                Arguments.of(get("/tasks/pending"), (Consumer<Orchestrator>) Orchestrator::claimNextTask),
                Arguments.of(post("/nodes/heartbeat"),
                        (Consumer<Orchestrator>) o -> o.heartbeat(new HeartbeatRequest(NODE_ID, NodeStatus.IDLE, null))),
                Arguments.of(post("/status"),
                        (Consumer<Orchestrator>) o -> o.statusOnce(StatusUpdate.of(TASK_ID, TaskStatus.RUNNING, null))));
    }

    /** An outage of hours would otherwise be a warning for every retry of every call. */
    @Test
    void anOutageIsOneWarningWhenItBeginsAndOneLineWhenItEndsNotOneEachRetry() {
        ResponseDefinitionBuilder reset = aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
        server.answerInTurn(() -> post("/status"), reset, reset, reset, serverError(), reset, reset, ok());
        StatusUpdate update = StatusUpdate.of(TASK_ID, TaskStatus.RUNNING, null);

        try (LogCapture log = LogCapture.start()) {
            OrchestratorException failure = catchThrowableOfType(OrchestratorException.class, () -> orchestrator.status(update));
            orchestrator.status(update);

            // Vert.x's own line for each reset too: the failure is the call's, said once here.
            assertThat(log.atLeast(java.util.logging.Level.WARNING)).singleElement().asString()
                    .contains("cannot be reached or fails");
            assertThat(log.atLeast(java.util.logging.Level.INFO)).filteredOn(line -> line.contains("answers again, after")).hasSize(1);
            assertThat(orchestrator.levelOf(failure)).as("a failure after the outage").isEqualTo(org.jboss.logging.Logger.Level.WARN);
        }
    }

    @Test
    void anAnswerThatIsNoJsonButNamesATaskIdIsThatTaskClaimedUnrunnable() {
        server.stubFor(get("/tasks/pending").willReturn(okJson("{\"prompt\": \"say \\\"task_id\\\": \\\"other\\\"\", "
                + "\"task_id\": \"" + TASK_ID + "\", \"files\": [")));

        InvalidAssignment failure = catchThrowableOfType(InvalidAssignment.class, orchestrator::claimNextTask);

        assertThat(failure.taskId()).isEqualTo(TASK_ID);
        assertThat(failure.getMessage()).startsWith("the answer is not valid JSON (");
    }

    @Test
    void anAnswerTooLargeForAnyTaskIsItsTaskClaimedUnrunnable() {
        server.stubFor(get("/tasks/pending").willReturn(okJson("{\"task_id\": \"" + TASK_ID + "\", \"prompt\": \""
                + "x".repeat(AssignmentReader.MAX_ANSWER_BYTES) + "\"}")));

        InvalidAssignment failure = catchThrowableOfType(InvalidAssignment.class, orchestrator::claimNextTask);

        assertThat(failure.taskId()).isEqualTo(TASK_ID);
        assertThat(failure.getMessage()).isEqualTo("the answer is larger than " + AssignmentReader.MAX_ANSWER_BYTES + " bytes");
    }

    @Test
    void anAnswerThatIsNoJsonAndNamesNoTaskIsAMalformedAnswer() {
        server.stubFor(get("/tasks/pending").willReturn(ok("<html><body>Bad gateway</body></html>")
                .withHeader("Content-Type", "text/html")));

        OrchestratorException failure = catchThrowableOfType(OrchestratorException.class, orchestrator::claimNextTask);

        assertThat(failure.isMalformedAnswer()).isTrue();
        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.getMessage()).startsWith("GET /tasks/pending: malformed answer: the answer is not valid JSON (")
                .endsWith(", naming no task_id");
    }

    @Test
    void anAnswerThatIsJsonButNoObjectIsItsFirstTaskClaimedUnrunnable() {
        server.stubFor(get("/tasks/pending").willReturn(okJson("[{\"task_id\": \"" + TASK_ID + "\", \"prompt\": \"p\"}]")));

        InvalidAssignment failure = catchThrowableOfType(InvalidAssignment.class, orchestrator::claimNextTask);

        assertThat(failure.taskId()).isEqualTo(TASK_ID);
        assertThat(failure.getMessage()).isEqualTo("the answer is not a JSON object but ARRAY");
    }

    @Test
    void anEmptyAnswerIsNothingPending() {
        server.stubFor(get("/tasks/pending").willReturn(ok()));

        assertThat(orchestrator.claimNextTask()).isEmpty();
    }

    // ---- registration ----

    static Stream<ResponseDefinitionBuilder> passingRegistrationRefusals() {
        return Stream.of(
                refusal(409, "Node name was just registered by a concurrent request; please retry"),
                refusal(409, "Node has an active task and cannot be re-registered"),
                refusal(429, "Rate limit exceeded"),
                refusal(500, "Internal Server Error"),
                refusal(400, "Bad Request"),
                aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    }

    @ParameterizedTest
    @MethodSource("passingRegistrationRefusals")
    void registrationRetriesUntilItSucceeds(ResponseDefinitionBuilder refusal) {
        server.answerInTurn(() -> post("/register"), refusal, refusal, refusal, registered("new-key"));

        assertThat(orchestrator.register(TOKEN, IDENTITY).apiKey()).isEqualTo("new-key");
        assertThat(server.requests()).hasSize(4);
    }

    @ParameterizedTest
    @MethodSource("finalRegistrationRefusals")
    void registrationStopsAtAWrongTokenOrDisabledRegistration(int status, String detail) {
        server.stubFor(post("/register").willReturn(refusal(status, detail)));

        assertThat(catchThrowableOfType(OrchestratorException.class, () -> orchestrator.register(TOKEN, IDENTITY)))
                .returns(status, OrchestratorException::status).hasMessageContaining(detail);
        assertThat(server.requests()).hasSize(1);
    }

    static Stream<Arguments> finalRegistrationRefusals() {
        return Stream.of(Arguments.of(401, "Invalid registration token"),
                Arguments.of(503, "Registration is disabled on this server"));
    }

    @Test
    void malformedRegistrationAnswerIsNotRetried() {
        server.stubFor(post("/register").willReturn(okJson("{\"id\": ")));

        assertThat(catchThrowableOfType(OrchestratorException.class, () -> orchestrator.register(TOKEN, IDENTITY)))
                .returns(true, OrchestratorException::isMalformedAnswer);
        assertThat(server.requests()).hasSize(1);
    }

    // ---- last contact ----

    @Test
    void lastContactIsEmptyUntilTheServerAnswersAndSetByAnErrorAnswer() {
        server.stubFor(post("/nodes/heartbeat").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        server.stubFor(get("/tasks/pending").willReturn(refusal(401, "Invalid API key")));
        HeartbeatRequest beat = new HeartbeatRequest(NODE_ID, NodeStatus.IDLE, null);

        catchThrowableOfType(OrchestratorException.class, () -> orchestrator.heartbeat(beat));
        assertThat(orchestrator.lastContact()).isEmpty();

        catchThrowableOfType(OrchestratorException.class, orchestrator::claimNextTask);
        assertThat(orchestrator.lastContact()).isPresent();
    }

    @Test
    void lastContactIsSetBySuccess() {
        server.stubFor(get("/tasks/pending").willReturn(okJson("null")));

        orchestrator.claimNextTask();

        assertThat(orchestrator.lastContact()).isPresent();
    }

    private LoggedRequest onlyRequest() {
        List<LoggedRequest> requests = server.requests();
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private static void assertSentWithKey(LoggedRequest request, String method, String url) {
        assertThat(request.getMethod().getName()).isEqualTo(method);
        assertThat(request.getUrl()).isEqualTo(url);
        assertThat(request.getHeader("X-API-Key")).isEqualTo(KEY);
        assertThat(request.containsHeader("X-Registration-Token")).isFalse();
        if (method.equals("POST")) {
            assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        }
    }

    private JsonNode bodyOf(LoggedRequest request) throws Exception {
        return json.readTree(request.getBodyAsString());
    }
}
