package com.elcanotek.victoria.runner.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code container inspect} output, which podman and docker share in the fields used here
 * (they differ elsewhere, e.g. Config.Entrypoint is a string in podman and an array in docker,
 * so only the needed fields are read, leniently).
 */
final class InspectJson {

    /** Go's zero time: what both engines print for "never". */
    private static final int ZERO_YEAR = 1;

    private final ObjectMapper mapper;

    InspectJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The containers in {@code json}; empty when it is not a JSON array (e.g. no output at all). */
    Optional<List<ContainerInfo>> parse(String json) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (root == null || !root.isArray()) {
            return Optional.empty();
        }
        List<ContainerInfo> containers = new ArrayList<>();
        root.forEach(node -> containers.add(container(node)));
        return Optional.of(containers);
    }

    private static ContainerInfo container(JsonNode node) {
        JsonNode state = node.path("State");
        ContainerState status = ContainerState.of(state.path("Status").asText(null));
        return new ContainerInfo(
                node.path("Id").asText(),
                // docker prefixes names with "/", podman does not
                node.path("Name").asText().replaceFirst("^/", ""),
                status,
                state.path("ExitCode").isInt() ? state.path("ExitCode").intValue() : null,
                instant(state.path("StartedAt")),
                instant(state.path("FinishedAt")),
                labels(node.path("Config").path("Labels")),
                state.path("OOMKilled").asBoolean(false),
                image(node));
    }

    /**
     * The image id, which is the digest of its config: the same whichever registry or engine it came through (podman's
     * ImageDigest is of the manifest as podman stored it, which need not be the one the registry has).
     */
    private static String image(JsonNode node) {
        String id = node.path("Image").asText("");
        if (id.isEmpty()) {
            return null;
        }
        return id.startsWith("sha256:") ? id : "sha256:" + id;
    }

    private static Instant instant(JsonNode value) {
        if (!value.isTextual()) {
            return null;
        }
        try {
            OffsetDateTime time = OffsetDateTime.parse(value.asText());
            return time.getYear() <= ZERO_YEAR ? null : time.toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        node.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }
}
