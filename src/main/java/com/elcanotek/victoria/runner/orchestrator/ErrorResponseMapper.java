package com.elcanotek.victoria.runner.orchestrator;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

import com.elcanotek.victoria.runner.network.ProxyUrl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Turns an error answer into an {@link OrchestratorException} carrying the server's {@code detail}. */
final class ErrorResponseMapper implements ResponseExceptionMapper<OrchestratorException> {

    private static final int MAX_DETAIL = 500;

    private final ObjectMapper json;
    private final ProxyUrl proxy;

    /** @param proxy the proxy plain-HTTP calls go through, whose own refusals are told apart; null for none */
    ErrorResponseMapper(ObjectMapper json, ProxyUrl proxy) {
        this.json = json;
        this.proxy = proxy;
    }

    /** Redirects too: the runner never follows them, so the call did not reach the orchestrator's API. */
    @Override
    public boolean handles(int status, MultivaluedMap<String, Object> headers) {
        return status >= 300;
    }

    @Override
    public OrchestratorException toThrowable(Response response) {
        String body = response.hasEntity() ? response.readEntity(String.class) : "";
        if (proxy != null && isProxyRefusal(response.getStatus(), body)) {
            return OrchestratorException.proxyRefused(null, proxy, response.getStatus() + " "
                    + response.getStatusInfo().getReasonPhrase());
        }
        return new OrchestratorException(null, response.getStatus(), detail(body, response),
                retryAfter(response.getHeaderString(HttpHeaders.RETRY_AFTER)), hasOwnDetail(body), null);
    }

    /** The orchestrator's errors are a JSON object with a {@code detail}; a proxy's or firewall's page is not. */
    private boolean hasOwnDetail(String body) {
        try {
            JsonNode answer = json.readTree(body);
            return answer != null && answer.isObject() && answer.hasNonNull("detail");
        } catch (Exception notJson) {
            return false;
        }
    }

    /**
     * A 407 is always the proxy's; a 403 is the orchestrator's ("not assigned", the cancellation signal) only with its
     * JSON {@code detail}: a proxy's access rules answer with a page of their own, which must not stop a task.
     */
    private boolean isProxyRefusal(int status, String body) {
        if (status == 407) {
            return true;
        }
        if (status != 403) {
            return false;
        }
        try {
            return json.readTree(body).path("detail").isMissingNode();
        } catch (Exception notJson) {
            return true;
        }
    }

    private String detail(String body, Response response) {
        if (response.getStatusInfo().getFamily() == Response.Status.Family.REDIRECTION) {
            return "redirected to " + response.getHeaderString(HttpHeaders.LOCATION) + "; check the orchestrator URL";
        }
        try {
            JsonNode detail = json.readTree(body).path("detail");
            if (detail.isTextual()) {
                return clip(detail.asText());
            }
            if (!detail.isMissingNode()) {
                return clip(detail.toString());
            }
        } catch (Exception notJson) {
            // A proxy's HTML page or an empty body: fall through to the raw text.
        }
        String text = body == null ? "" : body.strip();
        return text.isEmpty() ? response.getStatusInfo().getReasonPhrase() : clip(text);
    }

    private static String clip(String text) {
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "...";
    }

    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
