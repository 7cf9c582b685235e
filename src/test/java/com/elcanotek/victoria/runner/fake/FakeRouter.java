package com.elcanotek.victoria.runner.fake;

import static com.elcanotek.victoria.runner.fake.Exchanges.MAPPER;
import static com.elcanotek.victoria.runner.fake.Exchanges.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * The node API over HTTP: holds requests during a hang, records each request, applies injected faults, checks
 * credentials, validates the wire format and renders answers; the rules themselves live in {@link NodeRegistry}
 * and {@link TaskBoard}.
 */
final class FakeRouter implements HttpHandler {

    private static final String FILES = "/files/";
    private static final long UNLIMITED = Long.MAX_VALUE;
    private static final Set<String> NODE_STATUSES = Set.of("idle", "busy", "offline", "error");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final NodeRegistry registry;
    private final TaskBoard board;
    private final Faults faults;
    private final Hang hang;
    private final String orchestratorUrl;
    private final long logsLimitBytes;
    private final Queue<RequestRecord> requests = new ConcurrentLinkedQueue<>();
    private final Queue<RequestRecord> hungRequests = new ConcurrentLinkedQueue<>();

    /** What a request said it was about and who sent it, for its {@link RequestRecord}; filled in as it is handled. */
    private static final class About {
        String taskId;
        String reportedStatus;
        String nodeId;

        /** Lenient: a field of the wrong type is left out here and refused by the handler's own checks. */
        void note(JsonNode body) {
            if (body == null) {
                return;
            }
            JsonNode task = body.has("task_id") ? body.get("task_id") : body.get("current_task_id");
            taskId = task != null && task.isTextual() ? task.asText() : null;
            JsonNode status = body.get("status");
            reportedStatus = status != null && status.isTextual() ? status.asText() : null;
        }
    }

    FakeRouter(NodeRegistry registry, TaskBoard board, Faults faults, Hang hang, String orchestratorUrl,
            long logsLimitBytes) {
        this.registry = registry;
        this.board = board;
        this.faults = faults;
        this.hang = hang;
        this.orchestratorUrl = orchestratorUrl;
        this.logsLimitBytes = logsLimitBytes;
    }

    List<RequestRecord> requests() {
        return List.copyOf(requests);
    }

    List<RequestRecord> hungRequests() {
        return List.copyOf(hungRequests);
    }

    @Override
    public void handle(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        Hang.Episode hung = hang.current();
        if (hung != null) {
            holdUnanswered(exchange, method, path, hung);
            return;
        }
        About about = new About();
        try {
            applyFault(method, path);
            if ("POST".equals(method) && !hasCredentialHeader(exchange.getRequestHeaders())) {
                throw new ApiError(403, "Cross-origin request blocked");
            }
            route(exchange, method, path, about);
        } catch (ApiError error) {
            answerError(exchange, error);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop() interrupts a delayed or stalled answer
        } catch (IOException e) {
            // The client went away mid-answer: nothing left to tell it.
        } catch (RuntimeException e) {
            e.printStackTrace(); // a bug in the fake: make it visible in the test output
            answerError(exchange, new ApiError(500, "Internal Server Error"));
        } finally {
            requests.add(new RequestRecord(method, path, exchange.getResponseCode(), Instant.now(), about.taskId,
                    about.reportedStatus, about.nodeId));
            exchange.close();
        }
    }

    /**
     * A request that arrived during a hang: read (as a live server's socket would take it in), recorded among
     * the hung requests at once, so that a test can wait for it, then held until the hang is over and closed
     * without an answer and WITHOUT being processed. Its client, whose read timeout has fired by then, gave up on
     * it; never processing it keeps the fake's state free of requests nobody saw answered. A client still waiting
     * sees the connection closed. Holding takes a worker thread per request: the pool is unbounded for this.
     */
    private void holdUnanswered(HttpExchange exchange, String method, String path, Hang.Episode hung) {
        About about = new About();
        try {
            byte[] body = Exchanges.readBody(exchange, UNLIMITED);
            try {
                about.note(MAPPER.readTree(body));
            } catch (IOException e) {
                // Not JSON (or no body): nothing to note.
            }
        } catch (IOException e) {
            // The client went away while sending: still a request that arrived during the hang.
        }
        hungRequests.add(new RequestRecord(method, path, -1, Instant.now(), about.taskId, about.reportedStatus, null));
        try {
            hung.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop(): the connection goes anyway
        } finally {
            exchange.close(); // no answer was sent: this closes the connection
        }
    }

    private void applyFault(String method, String path) throws InterruptedException {
        Duration slow = faults.periodicDelay();
        if (slow != null) {
            // Like a delayNext: the request is still processed after the delay, whether its client waited or not.
            Thread.sleep(slow.toMillis());
        }
        Optional<Faults.Fault> fault = faults.take(method, path);
        if (fault.isEmpty()) {
            return;
        }
        if (fault.get().delay() != null) {
            // Slept before the request is handled: a client that gives up meanwhile still has its request
            // processed afterwards, e.g. a pending task claimed whose answer nobody reads.
            Thread.sleep(fault.get().delay().toMillis());
        }
        if (fault.get().status() != 0) {
            throw new ApiError(fault.get().status(), fault.get().detail(), fault.get().retryAfterSeconds(),
                    fault.get().fromInBetween());
        }
    }

    private void route(HttpExchange exchange, String method, String path, About about)
            throws IOException, InterruptedException {
        switch (method + " " + path) {
            case "POST /register" -> register(exchange, about);
            case "POST /nodes/heartbeat" -> heartbeat(exchange, about);
            case "GET /tasks/pending" -> pending(exchange, about);
            case "POST /status" -> status(exchange, about);
            case "POST /logs" -> logs(exchange, about);
            default -> {
                if (!"GET".equals(method) || !path.startsWith(FILES)) {
                    throw new ApiError(404, "Not Found");
                }
                file(exchange, path.substring(FILES.length()), about);
            }
        }
    }

    private void register(HttpExchange exchange, About about) throws IOException {
        registry.admit(exchange.getRemoteAddress().getAddress().getHostAddress(),
                exchange.getRequestHeaders().getFirst("X-Registration-Token"));
        JsonNode body = Exchanges.readJsonObject(exchange, UNLIMITED);
        String hostname = text(body, "hostname");
        if (hostname == null || hostname.isBlank()) {
            throw new ApiError(400, "Invalid hostname: required");
        }
        String name = text(body, "name");
        NodeRegistry.Registration registration = registry.register(hostname,
                name == null || name.isBlank() ? hostname : name, text(body, "os_type"));
        about.nodeId = registration.node().id();
        Exchanges.sendJson(exchange, 200, nodeJson(registration.node()).put("api_key", registration.apiKey()));
    }

    private void heartbeat(HttpExchange exchange, About about) throws IOException {
        String nodeId = authenticate(exchange, about);
        JsonNode body = Exchanges.readJsonObject(exchange, UNLIMITED);
        about.note(body);
        String claimedId = text(body, "node_id");
        if (claimedId == null || !UUID.matcher(claimedId).matches()) {
            throw new ApiError(400, "Invalid node_id: a UUID is expected");
        }
        String status = text(body, "status");
        if (status == null || !NODE_STATUSES.contains(status)) {
            throw new ApiError(400, "Invalid node status");
        }
        String currentTaskId = text(body, "current_task_id");
        NodeSnapshot node = registry.heartbeat(nodeId, status, currentTaskId);
        if ("busy".equals(status) && currentTaskId != null) {
            board.renew(nodeId, currentTaskId);
        }
        ObjectNode json = nodeJson(node).put("current_task_id", node.currentTaskId());
        // The server's Node object carries the stored key hash here; a runner must not take it for its key.
        json.put("api_key", StoredFile.sha256(node.id().getBytes(StandardCharsets.UTF_8)));
        Exchanges.sendJson(exchange, 200, json);
    }

    private void pending(HttpExchange exchange, About about) throws IOException {
        String nodeId = authenticate(exchange, about);
        Optional<TaskBoard.Assignment> claimed = board.claim(nodeId);
        about.taskId = claimed.map(TaskBoard.Assignment::taskId).orElse(null);
        Exchanges.sendJson(exchange, 200, claimed.<JsonNode>map(this::assignmentJson).orElse(NullNode.getInstance()));
    }

    private void status(HttpExchange exchange, About about) throws IOException {
        String nodeId = authenticate(exchange, about);
        JsonNode body = Exchanges.readJsonObject(exchange, UNLIMITED);
        about.note(body);
        String taskId = text(body, "task_id");
        TaskState status = TaskState.reportable(text(body, "status"))
                .orElseThrow(() -> new ApiError(400, "Invalid task status"));
        board.report(nodeId, taskId, status, text(body, "message"));
        Exchanges.sendJson(exchange, 200, MAPPER.createObjectNode().put("task_id", taskId).put("status", status.wire()));
    }

    private void logs(HttpExchange exchange, About about) throws IOException {
        String nodeId = authenticate(exchange, about);
        JsonNode body = Exchanges.readJsonObject(exchange, logsLimitBytes);
        about.note(body);
        JsonNode session = body.get("session");
        if (session == null || !session.isObject()) {
            throw new ApiError(400, "Invalid session: an object is expected");
        }
        board.submitLogs(nodeId, text(body, "task_id"), session);
        Exchanges.sendJson(exchange, 200, MAPPER.createObjectNode().put("status", "ok"));
    }

    /** {@code name} is already percent-decoded, so an encoded slash or dot-dot is caught too. */
    private void file(HttpExchange exchange, String name, About about) throws IOException, InterruptedException {
        String nodeId = authenticate(exchange, about);
        if (name.isEmpty() || name.contains("/") || name.contains("..")) {
            throw new ApiError(400, "Invalid filename");
        }
        FileDownload.send(exchange, board.download(nodeId, name));
    }

    /** X-API-Key, or a Bearer token when X-API-Key is empty; 401 for none or an unknown key. */
    private String authenticate(HttpExchange exchange, About about) {
        Headers headers = exchange.getRequestHeaders();
        String key = headers.getFirst("X-API-Key");
        String authorization = headers.getFirst("Authorization");
        if ((key == null || key.isEmpty()) && authorization != null && authorization.startsWith("Bearer ")) {
            key = authorization.substring("Bearer ".length()).trim();
        }
        about.nodeId = registry.authenticate(key);
        return about.nodeId;
    }

    /** The server's CSRF guard: a POST carrying none of these cannot come from a node or an admin tool. */
    private static boolean hasCredentialHeader(Headers headers) {
        return headers.containsKey("X-API-Key") || headers.containsKey("Authorization")
                || headers.containsKey("X-Registration-Token");
    }

    private ObjectNode assignmentJson(TaskBoard.Assignment assignment) {
        TaskSpec spec = assignment.spec();
        ObjectNode json = MAPPER.createObjectNode()
                .put("task_id", assignment.taskId())
                .put("prompt", spec.prompt())
                .put("orchestrator_url", orchestratorUrl);
        if (spec.timeoutSeconds() != null) {
            json.put("timeout_seconds", spec.timeoutSeconds());
        }
        spec.files().keySet().forEach(json.putArray("files")::add);
        assignment.checksums().forEach(json.putArray("file_checksums")::add);
        // Fields the real server sends and a runner must ignore.
        json.put("model", "claude-sonnet-4-5").putNull("fallback_model").put("max_iterations", 50);
        json.putObject("mcp_selection");
        json.putArray("credential_allowlist");
        spec.extraFields().forEach((field, value) -> json.set(field, MAPPER.valueToTree(value)));
        return json;
    }

    private static ObjectNode nodeJson(NodeSnapshot node) {
        return MAPPER.createObjectNode()
                .put("id", node.id())
                .put("hostname", node.hostname())
                .put("name", node.name())
                .put("os_type", node.osType())
                .put("status", node.status())
                .put("last_heartbeat", node.lastHeartbeat() == null ? null : node.lastHeartbeat().toString())
                .put("registered_at", node.registeredAt().toString());
    }

    private static void answerError(HttpExchange exchange, ApiError error) {
        try {
            Exchanges.sendError(exchange, error);
        } catch (IOException e) {
            // The client went away: the error has nobody to reach.
        }
    }
}
