package com.elcanotek.victoria.runner.orchestrator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns the answer of {@code GET /tasks/pending} into a {@link TaskAssignment}, field by field, so that a
 * wrong type names the field instead of making the whole answer unreadable: the task is claimed either way,
 * and one that can be named can still be reported. Unknown fields are ignored.
 */
final class AssignmentReader {

    private AssignmentReader() {
    }

    /** @return empty for the JSON literal {@code null} (nothing pending) */
    static Optional<TaskAssignment> read(JsonNode answer) {
        if (answer == null || answer.isNull() || answer.isMissingNode()) {
            return Optional.empty();
        }
        if (!answer.isObject()) {
            throw new InvalidAssignment(null, "the task is not a JSON object but " + answer.getNodeType());
        }
        JsonNode id = answer.get("task_id");
        String taskId = id != null && id.isTextual() ? id.asText() : null;
        if (taskId == null) {
            throw new InvalidAssignment(null, "task_id is " + describe(id) + ", not a string");
        }
        JsonNode prompt = answer.get("prompt");
        if (prompt == null || !prompt.isTextual()) {
            throw new InvalidAssignment(taskId, "prompt is " + describe(prompt) + ", not a string");
        }
        return Optional.of(new TaskAssignment(taskId, prompt.asText(), optionalText(taskId, answer, "orchestrator_url"),
                timeout(taskId, answer.get("timeout_seconds")), names(taskId, answer, "files", false),
                names(taskId, answer, "file_checksums", true)));
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

    private static Integer timeout(String taskId, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new InvalidAssignment(taskId, "timeout_seconds is " + describe(value) + ", not a whole number of seconds");
        }
        return value.asInt();
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
