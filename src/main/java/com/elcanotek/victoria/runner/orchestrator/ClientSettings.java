package com.elcanotek.victoria.runner.orchestrator;

import java.net.URI;
import java.time.Duration;

import com.elcanotek.victoria.runner.network.NetworkSettings;

/**
 * How to reach the orchestrator.
 *
 * @param network the proxy and the trusted authorities
 * @param userAgent the {@code User-Agent} of every call (see {@link UserAgent})
 * @param retry backoff of retried calls
 */
public record ClientSettings(URI url, Duration connectTimeout, Duration readTimeout, Duration logsTimeout,
        NetworkSettings network, String userAgent, Backoff.Policy retry) {
}
