package com.elcanotek.victoria.runner.fake;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Nodes and their API keys, with the server's registration rules. Identity is the node name.
 * Thread-safe: every method holds the registry's monitor.
 */
final class NodeRegistry {

    /** Result of a registration: the only moment a key is shown. */
    record Registration(NodeSnapshot node, String apiKey) {
    }

    private static final class Node {
        final String id = UUID.randomUUID().toString();
        final String name;
        String hostname;
        String osType;
        String status = "idle";
        String currentTaskId;
        Instant lastHeartbeat;
        Instant registeredAt;

        Node(String name) {
            this.name = name;
        }
    }

    /** {@code expiresAt} null: the node's current key. */
    private record Key(String nodeId, Instant expiresAt) {
        boolean validAt(Instant now) {
            return expiresAt == null || expiresAt.isAfter(now);
        }
    }

    /** Null when registration is disabled. */
    private final String registrationToken;
    private final Duration keyGrace;
    private final RateLimiter limiter;
    private final Map<String, Node> nodes = new HashMap<>();
    /** Keys outlive a deleted node, so that its runner is told 404 Node not found, as by the server. */
    private final Map<String, Key> keys = new HashMap<>();
    private final SecureRandom random = new SecureRandom();

    NodeRegistry(String registrationToken, Duration keyGrace, int registrationsPerMinute) {
        this.registrationToken = registrationToken;
        this.keyGrace = keyGrace;
        this.limiter = new RateLimiter(registrationsPerMinute);
    }

    /** The checks made before the body is read; every attempt counts against the rate limit. */
    synchronized void admit(String client, String token) {
        limiter.acquire(client);
        if (registrationToken == null) {
            throw new ApiError(503, "Registration is disabled: the orchestrator has no REGISTRATION_TOKEN configured");
        }
        if (!registrationToken.equals(token)) {
            throw new ApiError(401, "Invalid registration token");
        }
    }

    synchronized Registration register(String hostname, String name, String osType) {
        Instant now = Instant.now();
        Node node = nodes.values().stream().filter(n -> n.name.equals(name)).findFirst().orElse(null);
        if (node == null) {
            node = new Node(name);
            nodes.put(node.id, node);
        } else if (node.currentTaskId != null) {
            throw new ApiError(409, "Node has an active task and cannot be re-registered; send a heartbeat "
                    + "with current_task_id null or ask an admin to delete the node");
        } else {
            String id = node.id;
            keys.replaceAll((k, key) -> key.nodeId().equals(id) && key.expiresAt() == null
                    ? new Key(id, now.plus(keyGrace)) : key);
        }
        node.hostname = hostname;
        node.osType = osType;
        node.status = "idle";
        node.registeredAt = now;
        String apiKey = "atq_" + HexFormat.of().formatHex(randomBytes(24));
        keys.put(apiKey, new Key(node.id, null));
        return new Registration(snapshot(node, now), apiKey);
    }

    /** The node id a key belongs to: 401 for an unknown or expired key, 404 if its node was deleted. */
    synchronized String authenticate(String apiKey) {
        Key key = apiKey == null ? null : keys.get(apiKey);
        if (key == null || !key.validAt(Instant.now())) {
            throw new ApiError(401, "Invalid API key");
        }
        return existing(key.nodeId()).id;
    }

    /** Stores what the heartbeat says, current_task_id included even when null. */
    synchronized NodeSnapshot heartbeat(String nodeId, String status, String currentTaskId) {
        Node node = existing(nodeId);
        Instant now = Instant.now();
        node.status = status;
        node.currentTaskId = currentTaskId;
        node.lastHeartbeat = now;
        return snapshot(node, now);
    }

    synchronized void delete(String name) {
        if (!nodes.values().removeIf(n -> n.name.equals(name))) {
            throw new IllegalArgumentException("no node named " + name);
        }
    }

    synchronized List<NodeSnapshot> snapshots() {
        Instant now = Instant.now();
        return nodes.values().stream().map(n -> snapshot(n, now)).toList();
    }

    private Node existing(String nodeId) {
        Node node = nodes.get(nodeId);
        if (node == null) {
            throw new ApiError(404, "Node not found");
        }
        return node;
    }

    private NodeSnapshot snapshot(Node node, Instant now) {
        int validKeys = (int) keys.values().stream().filter(k -> k.nodeId().equals(node.id) && k.validAt(now)).count();
        return new NodeSnapshot(node.id, node.name, node.hostname, node.osType, node.status, node.currentTaskId,
                node.lastHeartbeat, node.registeredAt, validKeys);
    }

    private byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
