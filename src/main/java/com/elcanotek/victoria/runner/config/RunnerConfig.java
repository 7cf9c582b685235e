package com.elcanotek.victoria.runner.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import com.elcanotek.victoria.runner.container.ContainerPolicy;
import com.elcanotek.victoria.runner.network.NetworkSettings;
import com.elcanotek.victoria.runner.state.Layout;

/**
 * The runner's settings after the command line, the environment and the config file were merged
 * and checked. {@code network} holds the proxy (its credentials too) and the trust, out of {@link #toString()} but for
 * the proxy's address. {@code managementPort} is as given (null: the default), for a reload to tell it changed. The registration token is kept out of {@link #toString()}.
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
        NetworkSettings network,
        Duration connectTimeout,
        Duration readTimeout,
        Duration logsTimeout,
        int maxConcurrentTasks,
        long maxFileSize,
        long maxTaskFilesSize,
        int logsMaxBytes,
        boolean stopContainersOnShutdown,
        Duration shutdownTimeout,
        Duration startTimeout,
        Duration deliveryTimeout,
        boolean verbose,
        HousekeepingConfig housekeeping,
        ContainerPolicy containerPolicy,
        Duration imageRefreshInterval,
        Path registryAuthFile,
        boolean jsonLogs,
        String managementPort) {

    /** Tasks run at once: {@code --max-concurrent-tasks}, or fewer when each needs devices of its own and they run out. */
    public int concurrentTasks() {
        return Math.min(maxConcurrentTasks, containerPolicy.deviceSlots());
    }

    /** Where the state dir and the Victoria home put things. */
    public Layout layout() {
        return new Layout(stateDir, victoriaHome);
    }

    /**
     * These settings with those that a running runner can take on from {@code next} (see {@link ConfigChanges}); the
     * rest, which the runner's identity or its long-lived connections are built on, stay.
     */
    public RunnerConfig withLiveSettingsOf(RunnerConfig next) {
        return new RunnerConfig(orchestratorUrl, next.registrationToken, name, next.pollInterval, next.heartbeatInterval,
                next.leaseRenewalInterval, next.containerImage, victoriaHome, next.envFile, containerRuntime, stateDir,
                network, connectTimeout, readTimeout, logsTimeout, next.maxConcurrentTasks, maxFileSize, maxTaskFilesSize,
                logsMaxBytes, next.stopContainersOnShutdown, next.shutdownTimeout, startTimeout, deliveryTimeout, next.verbose,
                housekeeping, next.containerPolicy,
                next.imageRefreshInterval, registryAuthFile, next.jsonLogs, managementPort);
    }

    @Override
    public String toString() {
        return "RunnerConfig[orchestratorUrl=" + orchestratorUrl + ", name=" + name + ", pollInterval=" + pollInterval
                + ", heartbeatInterval=" + heartbeatInterval + ", containerImage=" + containerImage
                + ", victoriaHome=" + victoriaHome + ", envFile=" + envFile + ", containerRuntime=" + containerRuntime
                + ", stateDir=" + stateDir + ", network=" + network + ", maxConcurrentTasks=" + maxConcurrentTasks
                + ", registrationToken=<redacted>]";
    }
}
