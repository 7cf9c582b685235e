package com.elcanotek.victoria.runner.fake;

import static com.elcanotek.victoria.runner.fake.TestNode.detail;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The fake's rules, checked over real HTTP as a runner would meet them. */
class FakeOrchestratorTest {

    private static final String TOKEN = "tok";
    private static final Duration WAIT = Duration.ofSeconds(3);

    private final List<FakeOrchestrator> fakes = new ArrayList<>();

    @AfterEach
    void stopFakes() {
        fakes.forEach(FakeOrchestrator::stop);
    }

    private FakeOrchestrator start(FakeOrchestrator.Builder builder) {
        FakeOrchestrator fake = builder.registrationToken(TOKEN).build().start();
        fakes.add(fake);
        return fake;
    }

    private FakeOrchestrator start() {
        return start(FakeOrchestrator.builder());
    }

    private FakeOrchestrator startWithShortLeases() {
        return start(FakeOrchestrator.builder().leaseDuration(Duration.ofMillis(800)).sweepInterval(Duration.ofMillis(50)));
    }

    @Test
    void readingPendingClaimsTheOldestTaskAndNeverTheSameTwice() throws Exception {
        FakeOrchestrator fake = start();
        String first = fake.createTask("one");
        String second = fake.createTask(TaskSpec.builder("two").timeoutSeconds(60).extra("max_iterations", 7).build());
        TestNode node = TestNode.register(fake, TOKEN, "n1");

        JsonNode a = node.claim();
        JsonNode b = node.claim();

        assertThat(a.get("task_id").asText()).isEqualTo(first);
        assertThat(a.get("prompt").asText()).isEqualTo("one");
        assertThat(a.get("orchestrator_url").asText()).isEmpty();
        assertThat(a.has("timeout_seconds")).isFalse();
        assertThat(a.get("files")).isEmpty();
        assertThat(a.has("model")).isTrue();
        assertThat(b.get("task_id").asText()).isEqualTo(second);
        assertThat(b.get("timeout_seconds").asInt()).isEqualTo(60);
        assertThat(b.get("max_iterations").asInt()).isEqualTo(7);
        assertThat(node.pending().body()).isEqualTo("null");
        assertThat(fake.task(first).state()).isEqualTo(TaskState.LEASED);
        assertThat(fake.task(first).holderNodeId()).isEqualTo(node.id);
    }

    @Test
    void anExpiredLeaseReturnsTheTaskToPendingAndTheOldHolderGets403() throws Exception {
        FakeOrchestrator fake = startWithShortLeases();
        String id = fake.createTask("work");
        TestNode old = TestNode.register(fake, TOKEN, "old");
        old.claim();

        TaskSnapshot requeued = fake.awaitState(id, TaskState.PENDING, WAIT);

        assertThat(requeued.holderNodeId()).isNull();
        HttpResponse<String> late = old.status(id, "running");
        assertThat(late.statusCode()).isEqualTo(403);
        assertThat(detail(late)).isEqualTo("Node is not assigned to this task");
        TestNode other = TestNode.register(fake, TOKEN, "other");
        assertThat(other.claim().get("task_id").asText()).isEqualTo(id);
        assertThat(old.logs(id, "t", "c").statusCode()).isEqualTo(403);
    }

    @Test
    void busyHeartbeatsAndRunningReportsRenewTheLease() throws Exception {
        FakeOrchestrator fake = startWithShortLeases();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();

        for (int i = 0; i < 5; i++) { // 1 s in all, past the 800 ms lease
            Thread.sleep(200);
            assertThat(node.heartbeat("busy", id).statusCode()).isEqualTo(200);
        }
        assertThat(fake.task(id).state()).isEqualTo(TaskState.LEASED);
        for (int i = 0; i < 3; i++) {
            Thread.sleep(200);
            assertThat(node.status(id, "running").statusCode()).isEqualTo(200);
        }
        assertThat(fake.task(id).state()).isEqualTo(TaskState.RUNNING);

        fake.awaitState(id, TaskState.PENDING, WAIT); // once nothing renews it
    }

    @Test
    void anAdminCancelIsAnswered403() throws Exception {
        FakeOrchestrator fake = start();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();
        assertThat(node.status(id, "running").statusCode()).isEqualTo(200);

        fake.cancel(id);

        assertThat(node.status(id, "running").statusCode()).isEqualTo(403);
        assertThat(node.logs(id, "t", "c").statusCode()).isEqualTo(403);
        assertThat(node.status(id, "success").statusCode()).isEqualTo(403);
        assertThat(fake.task(id).state()).isEqualTo(TaskState.CANCELLED);
    }

    @Test
    void aFinalStatusEndsOwnershipAndARepeatChangesNothing() throws Exception {
        FakeOrchestrator fake = start();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();
        node.status(id, "running");
        assertThat(node.logs(id, "first", "a").statusCode()).isEqualTo(200);
        assertThat(node.logs(id, "second", "b").statusCode()).isEqualTo(200);

        assertThat(node.status(id, "success").statusCode()).isEqualTo(200);
        assertThat(node.status(id, "error").statusCode()).isEqualTo(200);

        assertThat(node.logs(id, "third", "c").statusCode()).isEqualTo(403);
        assertThat(node.status(id, "running").statusCode()).isEqualTo(403);
        TaskSnapshot task = fake.task(id);
        assertThat(task.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(task.result()).isEqualTo("success message");
        assertThat(task.history()).extracting(TaskSnapshot.StatusChange::state).containsExactly(
                TaskState.PENDING, TaskState.LEASED, TaskState.RUNNING, TaskState.SUCCESS);
        assertThat(task.logSubmissions()).isEqualTo(2);
        assertThat(task.latestSession().get("title").asText()).isEqualTo("second");
        assertThat(task.logsAcceptedAt()).isBefore(task.history().get(3).at());
    }

    @Test
    void statusReportsAreValidated() throws Exception {
        FakeOrchestrator fake = start();
        String id = fake.createTask("work");
        TestNode holder = TestNode.register(fake, TOKEN, "holder");
        TestNode stranger = TestNode.register(fake, TOKEN, "stranger");
        holder.claim();

        for (String orchestratorsOwn : List.of("pending", "assigned", "cancelled", "done")) {
            HttpResponse<String> response = holder.status(id, orchestratorsOwn);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(detail(response)).isEqualTo("Invalid task status");
        }
        HttpResponse<String> unknown = holder.status("00000000-0000-0000-0000-000000000000", "running");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(detail(unknown)).isEqualTo("Task not found");
        assertThat(stranger.status(id, "running").statusCode()).isEqualTo(403);
        assertThat(fake.task(id).state()).isEqualTo(TaskState.LEASED);
    }

    @Test
    void logsOverTheLimitAre413() throws Exception {
        FakeOrchestrator fake = start(FakeOrchestrator.builder().logsLimitBytes(1000));
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();

        assertThat(node.logs(id, "big", "x".repeat(2000)).statusCode()).isEqualTo(413);
        assertThat(node.logs(id, "small", "x").statusCode()).isEqualTo(200);
        assertThat(fake.task(id).logSubmissions()).isEqualTo(1);
    }

    @Test
    void filesAreServedOnlyForARunningTaskThatListsThem() throws Exception {
        FakeOrchestrator fake = start();
        byte[] report = "0123456789".getBytes(UTF_8);
        String id = fake.createTask(TaskSpec.builder("work").file("my report.pdf", report).missingFile("gone.txt")
                .file("unknown.txt", "u".getBytes(UTF_8)).advertisedChecksum("unknown.txt", "").build());
        fake.createTask(TaskSpec.builder("other").file("other.txt", "o".getBytes(UTF_8)).build());
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        JsonNode assignment = node.claim();
        assertThat(assignment.get("files")).extracting(JsonNode::asText)
                .containsExactly("my report.pdf", "gone.txt", "unknown.txt");
        assertThat(assignment.get("file_checksums")).extracting(JsonNode::asText)
                .containsExactly(StoredFile.sha256(report), "", "");

        assertThat(node.file("my%20report.pdf", null).statusCode()).isEqualTo(403);
        node.status(id, "running");
        HttpResponse<byte[]> whole = node.file("my%20report.pdf", null);
        HttpResponse<byte[]> tail = node.file("my%20report.pdf", "bytes=6-");

        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(report);
        assertThat(whole.headers().firstValue("X-Checksum-SHA256")).hasValue(StoredFile.sha256(report));
        assertThat(whole.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(new String(tail.body(), UTF_8)).isEqualTo("6789");
        assertThat(node.file("gone.txt", null).statusCode()).isEqualTo(404);
        assertThat(node.file("other.txt", null).statusCode()).isEqualTo(403);
        assertThat(node.file("..%2Fmy%20report.pdf", null).statusCode()).isEqualTo(400);
    }

    @Test
    void servedBytesMayDifferFromTheChecksumAndADownloadMayStall() throws Exception {
        FakeOrchestrator fake = start();
        byte[] real = "real content".getBytes(UTF_8);
        String id = fake.createTask(TaskSpec.builder("work").file("data.bin", real)
                .servedBytes("data.bin", "corrupted!!!".getBytes(UTF_8)).stall("data.bin", Duration.ofMillis(300))
                .build());
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();
        node.status(id, "running");

        long started = System.nanoTime();
        HttpResponse<byte[]> download = node.file("data.bin", null);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(new String(download.body(), UTF_8)).isEqualTo("corrupted!!!");
        assertThat(download.headers().firstValue("X-Checksum-SHA256")).hasValue(StoredFile.sha256(real));
    }

    @Test
    void registeringAgainRotatesTheKeyAndTheOldOneWorksDuringTheGrace() throws Exception {
        FakeOrchestrator fake = start(FakeOrchestrator.builder().keyGracePeriod(Duration.ofMillis(400)));
        TestNode before = TestNode.register(fake, TOKEN, "n1");
        TestNode after = TestNode.register(fake, TOKEN, "n1");

        assertThat(after.id).isEqualTo(before.id);
        assertThat(after.apiKey).isNotEqualTo(before.apiKey);
        assertThat(before.heartbeat("idle", null).statusCode()).isEqualTo(200);
        assertThat(fake.nodes()).singleElement().extracting(NodeSnapshot::validKeys).isEqualTo(2);

        Thread.sleep(500);

        HttpResponse<String> expired = before.heartbeat("idle", null);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(detail(expired)).isEqualTo("Invalid API key");
        assertThat(after.heartbeat("idle", null).statusCode()).isEqualTo(200);
        assertThat(fake.nodes()).singleElement().extracting(NodeSnapshot::validKeys).isEqualTo(1);
    }

    @Test
    void aNodeWithACurrentTaskCannotRegisterAgainUntilItHeartbeatsNull() throws Exception {
        FakeOrchestrator fake = start();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();
        node.heartbeat("busy", id);

        HttpResponse<String> refused = TestNode.register(fake.url(), TOKEN, "n1");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(detail(refused)).startsWith("Node has an active task and cannot be re-registered");

        assertThat(node.heartbeat("idle", null).statusCode()).isEqualTo(200);
        assertThat(TestNode.register(fake, TOKEN, "n1").id).isEqualTo(node.id);
    }

    @Test
    void stopRefusesConnectionsAndRestartServesTheSameStateOnTheSamePort() throws Exception {
        FakeOrchestrator fake = start();
        String url = fake.url();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();

        fake.stop();
        assertThatThrownBy(() -> node.heartbeat("busy", id)).isInstanceOf(ConnectException.class);

        fake.restart();
        assertThat(fake.url()).isEqualTo(url);
        assertThat(node.status(id, "running").statusCode()).isEqualTo(200);
        assertThat(fake.task(id).state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void credentialsAreCheckedLikeTheServerDoes() throws Exception {
        FakeOrchestrator fake = start(FakeOrchestrator.builder().registrationRateLimit(4));
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        URI pending = URI.create(fake.url() + "/tasks/pending");

        HttpResponse<String> bare = TestNode.send(HttpRequest.newBuilder(URI.create(fake.url() + "/status"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        HttpResponse<String> badKey = TestNode.send(HttpRequest.newBuilder(pending).header("X-API-Key", "nope"));
        HttpResponse<String> bearer = TestNode.send(HttpRequest.newBuilder(pending)
                .header("Authorization", "Bearer " + node.apiKey));
        HttpResponse<String> wrongToken = TestNode.register(fake.url(), "wrong", "n2");

        assertThat(bare.statusCode()).isEqualTo(403);
        assertThat(detail(bare)).isEqualTo("Cross-origin request blocked");
        assertThat(badKey.statusCode()).isEqualTo(401);
        assertThat(bearer.statusCode()).isEqualTo(200);
        assertThat(wrongToken.statusCode()).isEqualTo(401);
        assertThat(detail(wrongToken)).isEqualTo("Invalid registration token");
        assertThat(TestNode.register(fake.url(), "wrong", "n2").statusCode()).isEqualTo(401);
        assertThat(TestNode.register(fake.url(), TOKEN, "n2").statusCode()).isEqualTo(200);
        HttpResponse<String> limited = TestNode.register(fake.url(), TOKEN, "n3"); // the 5th within a minute
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        FakeOrchestrator disabled = start(FakeOrchestrator.builder().registrationDisabled(true));
        HttpResponse<String> refused = TestNode.register(disabled.url(), TOKEN, "n1");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(detail(refused)).startsWith("Registration is disabled");
    }

    @Test
    void heartbeatsAreValidatedAndADeletedNodeIsNotFound() throws Exception {
        FakeOrchestrator fake = start();
        TestNode node = TestNode.register(fake, TOKEN, "n1");

        HttpResponse<String> badId = node.post("/nodes/heartbeat", TestNode.JSON.createObjectNode()
                .put("node_id", "not-a-uuid").put("status", "idle").putNull("current_task_id"));
        HttpResponse<String> badStatus = node.heartbeat("sleeping", null);
        HttpResponse<String> ok = node.heartbeat("busy", "some-task");

        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(detail(badStatus)).isEqualTo("Invalid node status");
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode answer = TestNode.JSON.readTree(ok.body());
        assertThat(answer.get("id").asText()).isEqualTo(node.id);
        assertThat(answer.get("current_task_id").asText()).isEqualTo("some-task");
        assertThat(answer.get("api_key").asText()).isNotEqualTo(node.apiKey);

        fake.deleteNode("n1");
        HttpResponse<String> gone = node.heartbeat("idle", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(detail(gone)).isEqualTo("Node not found");
        assertThat(TestNode.register(fake, TOKEN, "n1").id).isNotEqualTo(node.id);
    }

    @Test
    void injectedFaultsComeFirstAndEveryRequestIsRecorded() throws Exception {
        FakeOrchestrator fake = start();
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        fake.failNext("GET", "/tasks/pending", 503, "maintenance", 2);
        fake.failNextWithRetryAfter("POST", "/nodes/heartbeat", 429, "slow down", 1, Duration.ofSeconds(7));
        fake.delayNext("/tasks/pending", Duration.ofMillis(300));

        HttpResponse<String> failed = node.pending();
        node.pending();
        long started = System.nanoTime();
        HttpResponse<String> delayed = node.pending();
        Duration delay = Duration.ofNanos(System.nanoTime() - started);
        HttpResponse<String> throttled = node.heartbeat("idle", null);

        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(detail(failed)).isEqualTo("maintenance");
        assertThat(delayed.statusCode()).isEqualTo(200);
        assertThat(delay).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(node.heartbeat("idle", null).statusCode()).isEqualTo(200);
        assertThat(fake.requests()).extracting(r -> r.method() + " " + r.path() + " " + r.status()).containsExactly(
                "POST /register 200", "GET /tasks/pending 503", "GET /tasks/pending 503", "GET /tasks/pending 200",
                "POST /nodes/heartbeat 429", "POST /nodes/heartbeat 200");
    }

    @Test
    void aHangHoldsRequestsUnansweredAndNeverProcessesThem() throws Exception {
        FakeOrchestrator fake = start();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        fake.hangUntilReleased();

        // More than the 8 worker threads the fake had: held requests must not keep later ones waiting.
        List<CompletableFuture<HttpResponse<String>>> given = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            given.add(node.pendingAsync(Duration.ofMillis(300)));
        }
        for (CompletableFuture<HttpResponse<String>> request : given) {
            assertThatThrownBy(request::join).hasCauseInstanceOf(HttpTimeoutException.class);
        }
        Awaitility.await().atMost(WAIT).until(() -> fake.hungRequests().size() == 12);
        assertThat(fake.isHanging()).isTrue();

        fake.release();

        assertThat(fake.isHanging()).isFalse();
        assertThat(node.claim().get("task_id").asText()).isEqualTo(id);
        assertThat(fake.task(id).claims()).isEqualTo(1);
        assertThat(fake.hungRequests()).allMatch(r -> r.path().equals("/tasks/pending") && r.status() == -1);
        Awaitility.await().atMost(WAIT).until(() -> fake.requests().size() == 2);
        assertThat(fake.requests()).extracting(r -> r.method() + " " + r.path() + " " + r.status() + " " + r.taskId())
                .containsExactly("POST /register 200 null", "GET /tasks/pending 200 " + id);
    }

    @Test
    void aTimedHangEndsByItselfAndAClientStillWaitingSeesTheConnectionClosed() throws Exception {
        FakeOrchestrator fake = start();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();
        fake.hang(Duration.ofMillis(300));
        assertThatThrownBy(() -> fake.hang(Duration.ofMillis(300))).isInstanceOf(IllegalStateException.class);

        long started = System.nanoTime();
        assertThatThrownBy(() -> node.status(id, "success")).isInstanceOf(IOException.class)
                .isNotInstanceOf(HttpTimeoutException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(200));
        assertThat(fake.isHanging()).isFalse();
        assertThat(fake.hungRequests()).singleElement().satisfies(hung -> {
            assertThat(hung.path()).isEqualTo("/status");
            assertThat(hung.taskId()).isEqualTo(id);
            assertThat(hung.reportedStatus()).isEqualTo("success");
        });
        assertThat(fake.task(id).state()).isEqualTo(TaskState.LEASED); // the hung success was never processed
        assertThat(node.status(id, "success").statusCode()).isEqualTo(200);
        assertThat(fake.task(id).state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void stopWorksDuringAHangAndTheRestartedFakeServesNormally() throws Exception {
        FakeOrchestrator fake = start();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        fake.hangUntilReleased();
        CompletableFuture<HttpResponse<String>> held = node.pendingAsync(Duration.ofSeconds(5));
        Awaitility.await().atMost(WAIT).until(() -> fake.hungRequests().size() == 1);

        long started = System.nanoTime();
        fake.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThatThrownBy(() -> held.get(3, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
        fake.restart();
        assertThat(fake.isHanging()).isFalse();
        assertThat(node.claim().get("task_id").asText()).isEqualTo(id);
        assertThat(fake.task(id).claims()).isEqualTo(1);
    }

    @Test
    void aSlowServerDelaysEveryNthRequestAndProcessesItEvenIfItsClientGaveUp() throws Exception {
        FakeOrchestrator fake = start();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();
        fake.delayEvery(3, Duration.ofMillis(300));

        List<Duration> took = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long started = System.nanoTime();
            assertThat(node.heartbeat("busy", id).statusCode()).isEqualTo(200);
            took.add(Duration.ofNanos(System.nanoTime() - started));
        }

        for (int i = 0; i < took.size(); i++) {
            if (i % 3 == 2) {
                assertThat(took.get(i)).as("request %d", i + 1).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            } else {
                assertThat(took.get(i)).as("request %d", i + 1).isLessThan(Duration.ofMillis(300));
            }
        }
        fake.delayEvery(1, Duration.ofMillis(400));
        assertThatThrownBy(() -> node.status(id, "running", Duration.ofMillis(100)))
                .isInstanceOf(HttpTimeoutException.class);
        fake.awaitState(id, TaskState.RUNNING, WAIT); // processed after its delay all the same
        fake.delayEvery(0, Duration.ZERO);
        long started = System.nanoTime();
        assertThat(node.heartbeat("busy", id).statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(300));
    }

    @Test
    void everyLeaseGrantAndRenewalIsRecordedPerClaimWithTheLongestGapWhileHeld() throws Exception {
        FakeOrchestrator fake = startWithShortLeases();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        TestNode other = TestNode.register(fake, TOKEN, "other");
        node.claim();
        Thread.sleep(100);
        node.heartbeat("busy", id);
        other.heartbeat("busy", id); // not its task: no renewal
        node.status(id, "leased"); // a reportable status, but neither a claim nor a renewal
        Thread.sleep(100);
        node.status(id, "running");
        TaskSnapshot expired = fake.awaitState(id, TaskState.PENDING, WAIT);
        other.claim();
        other.status(id, "success");

        TaskSnapshot done = fake.task(id);
        assertThat(done.claims()).isEqualTo(2);
        TaskSnapshot.Lease first = done.leases().get(0);
        TaskSnapshot.Lease second = done.leases().get(1);
        assertThat(first.nodeId()).isEqualTo(node.id);
        assertThat(first.renewals()).hasSize(3).first().isEqualTo(done.history().get(1).at());
        assertThat(first.endedAt()).isEqualTo(expired.history().get(expired.history().size() - 1).at());
        assertThat(first.longestGap(Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(800));
        assertThat(second.nodeId()).isEqualTo(other.id);
        assertThat(second.renewals()).hasSize(1);
        assertThat(second.endedAt()).isEqualTo(done.firstAt(TaskState.SUCCESS));
        assertThat(done.leaseRenewals()).hasSize(4).isSorted();
        assertThat(done.longestLeaseGap()).isEqualTo(first.longestGap(Instant.now()));
    }

    @Test
    void aLeaseRenewedInTimeShowsNoLongGapAndOneStillHeldCountsUntilTheSnapshot() throws Exception {
        FakeOrchestrator fake = start();
        String renewed = fake.createTask("renewed");
        String held = fake.createTask("held");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();
        for (int i = 0; i < 3; i++) {
            Thread.sleep(100);
            node.heartbeat("busy", renewed);
        }
        node.status(renewed, "success");
        node.heartbeat("busy", renewed); // after the final status: nothing left to renew
        node.claim();
        Thread.sleep(300);

        TaskSnapshot done = fake.task(renewed);
        TaskSnapshot open = fake.task(held);
        assertThat(done.leaseRenewals()).hasSize(4);
        assertThat(done.longestLeaseGap()).isBetween(Duration.ofMillis(100), Duration.ofMillis(290));
        assertThat(open.leases()).singleElement().extracting(TaskSnapshot.Lease::endedAt).isNull();
        assertThat(open.longestLeaseGap()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(fake.task(fake.createTask("never claimed")).longestLeaseGap()).isZero();
    }

    @Test
    void requestsNameTheirTaskSoThatARepeatedFinalStatusCanBeCounted() throws Exception {
        FakeOrchestrator fake = start();
        String id = fake.createTask("work");
        TestNode node = TestNode.register(fake, TOKEN, "n1");
        node.claim();
        node.heartbeat("busy", id);
        node.logs(id, "t", "c");
        node.status(id, "success");
        node.status(id, "success"); // as a runner resends when the first answer was lost
        node.logs(id, "late", "c");

        TaskSnapshot done = fake.task(id);
        assertThat(done.logSubmissions()).isEqualTo(1);
        assertThat(done.history()).filteredOn(c -> c.state().isFinal()).hasSize(1);
        assertThat(done.logsAcceptedAt()).isBefore(done.firstAt(TaskState.SUCCESS));
        Awaitility.await().atMost(WAIT).until(() -> fake.requests().size() == 7);
        assertThat(fake.requests()).extracting(r -> String.join(" ", r.method(), r.path(), String.valueOf(r.status()),
                r.taskId(), r.reportedStatus())).containsExactly(
                        "POST /register 200 null null",
                        "GET /tasks/pending 200 " + id + " null",
                        "POST /nodes/heartbeat 200 " + id + " busy",
                        "POST /logs 200 " + id + " null",
                        "POST /status 200 " + id + " success",
                        "POST /status 200 " + id + " success",
                        "POST /logs 403 " + id + " null");
    }
}
