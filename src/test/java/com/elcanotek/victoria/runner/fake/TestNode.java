package com.elcanotek.victoria.runner.fake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A bare node speaking raw HTTP to the fake, so the fake's tests depend on no runner code. */
final class TestNode {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String baseUrl;
    final String id;
    final String apiKey;

    private TestNode(String baseUrl, String id, String apiKey) {
        this.baseUrl = baseUrl;
        this.id = id;
        this.apiKey = apiKey;
    }

    static TestNode register(FakeOrchestrator fake, String token, String name) throws Exception {
        HttpResponse<String> response = register(fake.url(), token, name);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        return new TestNode(fake.url(), body.get("id").asText(), body.get("api_key").asText());
    }

    static HttpResponse<String> register(String baseUrl, String token, String name) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("hostname", "host-" + name).put("name", name)
                .put("os_type", "debian");
        return send(HttpRequest.newBuilder(URI.create(baseUrl + "/register")).header("X-Registration-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** Sends with the JSON content type the runner uses; the caller adds credentials. */
    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return send(request, Duration.ofSeconds(5));
    }

    /** Like {@link #send(HttpRequest.Builder)}, the client giving up after {@code timeout}. */
    static HttpResponse<String> send(HttpRequest.Builder request, Duration timeout)
            throws IOException, InterruptedException {
        return HTTP.send(request.header("Content-Type", "application/json").timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String detail(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body()).get("detail").asText();
    }

    HttpResponse<String> heartbeat(String status, String currentTaskId) throws Exception {
        return post("/nodes/heartbeat", JSON.createObjectNode().put("node_id", id).put("status", status)
                .put("current_task_id", currentTaskId));
    }

    HttpResponse<String> pending() throws Exception {
        return send(request("/tasks/pending").GET());
    }

    /** A GET /tasks/pending sent in the background, its client giving up after {@code timeout}. */
    CompletableFuture<HttpResponse<String>> pendingAsync(Duration timeout) {
        return HTTP.sendAsync(request("/tasks/pending").GET().header("Content-Type", "application/json")
                .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The claimed assignment, or null when nothing is pending. */
    JsonNode claim() throws Exception {
        HttpResponse<String> response = pending();
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        return body.isNull() ? null : body;
    }

    HttpResponse<String> status(String taskId, String status) throws Exception {
        return status(taskId, status, Duration.ofSeconds(5));
    }

    HttpResponse<String> status(String taskId, String status, Duration timeout) throws Exception {
        return send(request("/status").POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode()
                .put("task_id", taskId).put("status", status).put("message", status + " message").toString())),
                timeout);
    }

    HttpResponse<String> logs(String taskId, String title, String content) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("task_id", taskId);
        ObjectNode session = body.putObject("session").put("id", "s1").put("title", title);
        session.putArray("messages").addObject().put("id", "m1").put("role", "assistant").put("content", content);
        return post("/logs", body);
    }

    HttpResponse<byte[]> file(String encodedName, String range) throws Exception {
        HttpRequest.Builder request = request("/files/" + encodedName).GET().timeout(Duration.ofSeconds(5));
        if (range != null) {
            request.header("Range", range);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> post(String path, JsonNode body) throws Exception {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).header("X-API-Key", apiKey);
    }
}
