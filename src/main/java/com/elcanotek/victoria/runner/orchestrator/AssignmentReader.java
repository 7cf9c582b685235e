package com.elcanotek.victoria.runner.orchestrator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Turns the answer of {@code GET /tasks/pending} into a {@link TaskAssignment}, field by field, so that a
 * wrong type names the field instead of making the whole answer unreadable: the task is claimed either way,
 * and one that can be named can still be reported. Unknown fields are ignored. An answer that is no JSON at all
 * (cut short, a proxy's page, too large to be a task) may have claimed a task all the same: when a
 * {@code "task_id": "..."} can be found in it, that task is reported too.
 */
final class AssignmentReader {

    private static final String ENDPOINT = "GET /tasks/pending";
    /** Far above any runnable task (its prompt is one command-line argument, at most 128 KiB); read no further. */
    static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;
    // Not after a backslash: a task_id quoted inside a string (the prompt) is escaped there.
    private static final Pattern TASK_ID = Pattern.compile("(?<!\\\\)\"task_id\"\\s*:\\s*\"([^\"\\\\]{1,200})\"");

    private AssignmentReader() {
    }

    /**
     * @return empty for the JSON literal {@code null} or an empty body (nothing pending)
     * @throws InvalidAssignment when a task was claimed that cannot be run, its id found where possible
     * @throws OrchestratorException when the answer is unreadable and names no task
     */
    static Optional<TaskAssignment> read(ObjectMapper json, Response answer) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String problem = null;
        Exception cause = null;
        try (InputStream in = answer.readEntity(InputStream.class)) {
            byte[] chunk = new byte[8192];
            for (int n = in.read(chunk); n >= 0 && problem == null; n = in.read(chunk)) {
                body.write(chunk, 0, n);
                if (body.size() > MAX_ANSWER_BYTES) {
                    problem = "the answer is larger than " + MAX_ANSWER_BYTES + " bytes";
                }
            }
        } catch (IOException | ProcessingException e) {
            problem = "the answer was cut short after " + body.size() + " bytes";
            cause = e;
        }
        byte[] bytes = body.toByteArray();
        if (problem == null) {
            try {
                JsonNode tree = json.readTree(bytes);
                if (tree == null || tree.isNull() || tree.isMissingNode()) {
                    return Optional.empty();
                }
                if (tree.isObject()) {
                    return Optional.of(read(tree));
                }
                problem = "the answer is not a JSON object but " + tree.getNodeType();
            } catch (JsonProcessingException e) {
                problem = "the answer is not valid JSON (" + e.getOriginalMessage() + ")";
                cause = e;
            } catch (IOException e) {
                problem = "the answer cannot be read (" + e.getMessage() + ")";
                cause = e;
            }
        }
        throw unreadable(new String(bytes, StandardCharsets.UTF_8), problem, cause);
    }

    private static RuntimeException unreadable(String body, String problem, Exception cause) {
        Matcher id = TASK_ID.matcher(body);
        if (id.find()) {
            return new InvalidAssignment(id.group(1), problem);
        }
        return new OrchestratorException(ENDPOINT, 200, "malformed answer: " + problem + ", naming no task_id", null, cause);
    }

    private static TaskAssignment read(JsonNode answer) {
        JsonNode id = answer.get("task_id");
        String taskId = id != null && id.isTextual() ? id.asText() : null;
        if (taskId == null) {
            throw new InvalidAssignment(null, "task_id is " + describe(id) + ", not a string");
        }
        JsonNode prompt = answer.get("prompt");
        if (prompt == null || !prompt.isTextual()) {
            throw new InvalidAssignment(taskId, "prompt is " + describe(prompt) + ", not a string");
        }
        return new TaskAssignment(taskId, prompt.asText(), optionalText(taskId, answer, "orchestrator_url"),
                timeout(taskId, answer.get("timeout_seconds")), names(taskId, answer, "files", false),
                names(taskId, answer, "file_checksums", true));
    }

    private static String optionalText(String taskId, JsonNode answer, String field) {
        JsonNode value = answer.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidAssignment(taskId, field + " is " + describe(value) + ", not a string");
        }
        return value.asText();
    }

    /**
     * Any number: a server that keeps seconds as floats sends {@code 600.0}. Rounded up to whole seconds, and beyond an
     * int it is never; 0 or less takes the default ({@link TaskAssignment#effectiveTimeoutSeconds()}).
     */
    private static Integer timeout(String taskId, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new InvalidAssignment(taskId, "timeout_seconds is " + describe(value) + ", not a number of seconds");
        }
        double seconds = Math.ceil(value.asDouble());
        return Double.isNaN(seconds) ? 0 : (int) Math.max(0, Math.min(Integer.MAX_VALUE, seconds));
    }

    /** @param nullable whether the field as a whole may be absent (file_checksums) rather than an empty list */
    private static List<String> names(String taskId, JsonNode answer, String field, boolean nullable) {
        JsonNode value = answer.get(field);
        if (value == null || value.isNull()) {
            return nullable ? null : List.of();
        }
        if (!value.isArray()) {
            throw new InvalidAssignment(taskId, field + " is " + describe(value) + ", not a list of strings");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            if (!element.isTextual()) {
                throw new InvalidAssignment(taskId, field + "[" + i + "] is " + describe(element) + ", not a string");
            }
            names.add(element.asText());
        }
        return names;
    }

    private static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "missing";
        }
        if (value.isNull()) {
            return "null";
        }
        String text = value.toString();
        return "the " + value.getNodeType().name().toLowerCase(Locale.ROOT) + " " + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
}
