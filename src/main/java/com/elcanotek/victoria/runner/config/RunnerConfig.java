package com.elcanotek.victoria.runner.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import com.elcanotek.victoria.runner.container.ContainerPolicy;

/**
 * The runner's settings after the command line, the environment and the config file were merged
 * and checked. The registration token is kept out of {@link #toString()}.
 */
public record RunnerConfig(
        URI orchestratorUrl,
        String registrationToken,
        String name,
        Duration pollInterval,
        Duration heartbeatInterval,
        Duration leaseRenewalInterval,
        String containerImage,
        Path victoriaHome,
        Path envFile,
        String containerRuntime,
        Path stateDir,
        Path caFile,
        Duration connectTimeout,
        Duration readTimeout,
        Duration logsTimeout,
        int maxConcurrentTasks,
        long maxFileSize,
        int logsMaxBytes,
        boolean stopContainersOnShutdown,
        Duration shutdownTimeout,
        boolean verbose,
        HousekeepingConfig housekeeping,
        ContainerPolicy containerPolicy,
        Duration imageRefreshInterval,
        Path registryAuthFile) {

    @Override
    public String toString() {
        return "RunnerConfig[orchestratorUrl=" + orchestratorUrl + ", name=" + name + ", pollInterval=" + pollInterval
                + ", heartbeatInterval=" + heartbeatInterval + ", containerImage=" + containerImage
                + ", victoriaHome=" + victoriaHome + ", envFile=" + envFile + ", containerRuntime=" + containerRuntime
                + ", stateDir=" + stateDir + ", caFile=" + caFile + ", maxConcurrentTasks=" + maxConcurrentTasks
                + ", registrationToken=<redacted>]";
    }
}
