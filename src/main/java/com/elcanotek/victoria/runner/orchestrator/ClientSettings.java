package com.elcanotek.victoria.runner.orchestrator;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach the orchestrator.
 *
 * @param caFile PEM bundle to trust instead of the JVM's trust store; {@code null} for the JVM's
 * @param retry backoff of retried calls
 */
public record ClientSettings(URI url, Duration connectTimeout, Duration readTimeout, Duration logsTimeout,
        Path caFile, Backoff.Policy retry) {
}
