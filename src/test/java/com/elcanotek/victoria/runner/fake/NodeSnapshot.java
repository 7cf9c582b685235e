package com.elcanotek.victoria.runner.fake;

import java.time.Instant;

/** A node as the fake stores it; {@code validKeys} counts keys that still authenticate (grace included). */
public record NodeSnapshot(String id, String name, String hostname, String osType, String status,
        String currentTaskId, Instant lastHeartbeat, Instant registeredAt, int validKeys) {
}
