package com.elcanotek.victoria.runner.fake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

/** Reading requests and writing answers the way the server does: JSON, errors as {"detail": ...}. */
final class Exchanges {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Exchanges() {
    }

    /**
     * The whole body, or 413 if it is larger than {@code limit}. An oversized body is still read to its
     * end, so that the client gets the 413 instead of a connection reset while it is still sending.
     */
    static byte[] readBody(HttpExchange exchange, long limit) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        long total = 0;
        byte[] buffer = new byte[8192];
        try (InputStream in = exchange.getRequestBody()) {
            for (int n; (n = in.read(buffer)) > 0;) {
                total += n;
                if (total <= limit) {
                    kept.write(buffer, 0, n);
                }
            }
        }
        if (total > limit) {
            throw new ApiError(413, "Request body too large: the limit is " + limit + " bytes");
        }
        return kept.toByteArray();
    }

    /** Size first, then parsing: a body over the limit is refused without being parsed. */
    static JsonNode readJsonObject(HttpExchange exchange, long limit) throws IOException {
        byte[] body = readBody(exchange, limit);
        JsonNode json;
        try {
            json = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "Invalid JSON body");
        }
        if (json == null || !json.isObject()) {
            throw new ApiError(400, "Invalid JSON body: an object is expected");
        }
        return json;
    }

    /** A string field; null when absent or JSON null, 400 when of another type. */
    static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiError(400, "Invalid " + field + ": a string is expected");
        }
        return value.asText();
    }

    static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void sendError(HttpExchange exchange, ApiError error) throws IOException {
        if (error.retryAfterSeconds != null) {
            exchange.getResponseHeaders().set("Retry-After", String.valueOf(error.retryAfterSeconds));
        }
        if (error.fromInBetween) {
            byte[] page = ("<html><body><h1>" + error.status + "</h1><p>" + error.getMessage() + "</p></body></html>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            exchange.sendResponseHeaders(error.status, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
            return;
        }
        sendJson(exchange, error.status, MAPPER.createObjectNode().put("detail", error.getMessage()));
    }
}
