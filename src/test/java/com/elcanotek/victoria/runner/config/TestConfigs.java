package com.elcanotek.victoria.runner.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import com.elcanotek.victoria.runner.container.ContainerPolicy;
import com.elcanotek.victoria.runner.network.NetworkSettings;

/** Settings as the command line's defaults give them, for an orchestrator, a token and a working folder. */
public final class TestConfigs {

    private TestConfigs() {
    }

    /** Node {@code node-1}, the Victoria home in {@code dir/home}, the state in {@code dir/state}. */
    public static RunnerConfig runnerConfig(URI orchestratorUrl, String token, Path dir) {
        return runnerConfig(orchestratorUrl, token, dir, Duration.ofSeconds(30), Duration.ofSeconds(30), HousekeepingConfig.defaults());
    }

    /** The same with other poll and read timing (readiness waits 3 polls plus a read) and housekeeping. */
    public static RunnerConfig runnerConfig(URI orchestratorUrl, String token, Path dir, Duration pollInterval,
            Duration readTimeout, HousekeepingConfig housekeeping) {
        return runnerConfig(orchestratorUrl, token, dir, pollInterval, readTimeout, housekeeping,
                "ghcr.io/elcanotek/victoria-terminal:latest");
    }

    /** The same with another container image. */
    public static RunnerConfig runnerConfig(URI orchestratorUrl, String token, Path dir, Duration pollInterval,
            Duration readTimeout, HousekeepingConfig housekeeping, String image) {
        return runnerConfig(orchestratorUrl, token, dir, pollInterval, Duration.ofSeconds(30), readTimeout, housekeeping, image);
    }

    /** The defaults with other poll and heartbeat intervals. */
    public static RunnerConfig runnerConfig(URI orchestratorUrl, String token, Path dir, Duration pollInterval,
            Duration heartbeatInterval) {
        return runnerConfig(orchestratorUrl, token, dir, pollInterval, heartbeatInterval, Duration.ofSeconds(30),
                HousekeepingConfig.defaults(), "ghcr.io/elcanotek/victoria-terminal:latest");
    }

    private static RunnerConfig runnerConfig(URI orchestratorUrl, String token, Path dir, Duration pollInterval,
            Duration heartbeatInterval, Duration readTimeout, HousekeepingConfig housekeeping, String image) {
        return runnerConfig(orchestratorUrl, token, dir, pollInterval, heartbeatInterval, readTimeout, housekeeping, image,
                ContainerPolicy.DEFAULT, NetworkSettings.direct());
    }

    /** The defaults with another image, container policy and network (the doctor's tests). */
    public static RunnerConfig runnerConfig(URI orchestratorUrl, String token, Path dir, String image, ContainerPolicy policy,
            NetworkSettings network) {
        return runnerConfig(orchestratorUrl, token, dir, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30),
                HousekeepingConfig.defaults(), image, policy, network);
    }

    private static RunnerConfig runnerConfig(URI orchestratorUrl, String token, Path dir, Duration pollInterval,
            Duration heartbeatInterval, Duration readTimeout, HousekeepingConfig housekeeping, String image,
            ContainerPolicy policy, NetworkSettings network) {
        return new RunnerConfig(orchestratorUrl, token, "node-1", pollInterval, heartbeatInterval, Duration.ofSeconds(60),
                image, dir.resolve("home"), null, "auto", dir.resolve("state"), network,
                Duration.ofSeconds(5), readTimeout, Duration.ofSeconds(120), 1, 1_073_741_824L, 4_294_967_296L, 1_048_576, false,
                Duration.ofSeconds(20), Duration.ofSeconds(900), Duration.ofSeconds(300), false, housekeeping, policy,
                Duration.ofHours(1), null, false, null);
    }
}
