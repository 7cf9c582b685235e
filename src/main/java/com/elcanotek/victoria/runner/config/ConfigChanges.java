package com.elcanotek.victoria.runner.config;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which options differ between the running settings and re-read ones, and which of those a reload applies: what
 * only new work or new calls read (intervals, limits of new tasks, image, concurrency, logging, the token for the
 * next registration) applies at once; what the runner's identity, state or long-lived parts were built on (the
 * orchestrator URL, its proxy and TLS, the name, the state dir and Victoria home, the engine, the HTTP timeouts, the
 * management port) needs a restart. {@link RunnerConfig#withLiveSettingsOf} takes the same ones.
 */
public record ConfigChanges(List<String> applied, List<String> needRestart) {

    private record Setting(String option, boolean live, Function<RunnerConfig, Object> value) {
    }

    private static final String NETWORK = "--proxy, --no-proxy, --ca-file, --ca-file-only, --ca-to-containers (or the "
            + "proxy variables, SSL_CERT_FILE, SSL_CERT_DIR)";

    private static final List<Setting> SETTINGS = List.of(
            new Setting("--orchestrator-url", false, RunnerConfig::orchestratorUrl),
            new Setting("--registration-token", true, RunnerConfig::registrationToken),
            new Setting("--name", false, RunnerConfig::name),
            new Setting("--poll-interval", true, RunnerConfig::pollInterval),
            new Setting("--heartbeat-interval", true, RunnerConfig::heartbeatInterval),
            new Setting("--lease-renewal-interval", true, RunnerConfig::leaseRenewalInterval),
            new Setting("--container-image", true, RunnerConfig::containerImage),
            new Setting("--victoria-home", false, RunnerConfig::victoriaHome),
            new Setting("--env-file", true, RunnerConfig::envFile),
            new Setting("--container-runtime", false, RunnerConfig::containerRuntime),
            new Setting("--state-dir", false, RunnerConfig::stateDir),
            new Setting(NETWORK, false, RunnerConfig::network),
            new Setting("--connect-timeout", false, RunnerConfig::connectTimeout),
            new Setting("--read-timeout", false, RunnerConfig::readTimeout),
            new Setting("--logs-timeout", false, RunnerConfig::logsTimeout),
            new Setting("--max-concurrent-tasks", true, RunnerConfig::maxConcurrentTasks),
            new Setting("--max-file-size", false, RunnerConfig::maxFileSize),
            new Setting("--max-task-files-size", false, RunnerConfig::maxTaskFilesSize),
            new Setting("--logs-max-bytes", false, RunnerConfig::logsMaxBytes),
            new Setting("--on-shutdown", true, RunnerConfig::stopContainersOnShutdown),
            new Setting("--shutdown-timeout", true, RunnerConfig::shutdownTimeout),
            new Setting("--start-timeout", false, RunnerConfig::startTimeout),
            new Setting("--delivery-timeout", false, RunnerConfig::deliveryTimeout),
            new Setting("--verbose", true, RunnerConfig::verbose),
            new Setting("--retention-days, --min-free-disk, --prune-images", false, RunnerConfig::housekeeping),
            new Setting("--memory, --cpus, --pids-limit, --shm-size, --no-init, --allow-new-privileges, --cap-add, "
                    + "--device, --gpus, --devices-per-task, --pull", true, RunnerConfig::containerPolicy),
            new Setting("--image-refresh-interval", true, RunnerConfig::imageRefreshInterval),
            new Setting("--registry-auth-file", false, RunnerConfig::registryAuthFile),
            new Setting("--log-format", true, RunnerConfig::jsonLogs),
            new Setting("--management-port", false, RunnerConfig::managementPort));

    /** The options whose values differ, by name only: a value may be a secret. */
    public static ConfigChanges between(RunnerConfig running, RunnerConfig next) {
        List<Setting> changed = SETTINGS.stream()
                .filter(setting -> !Objects.equals(setting.value().apply(running), setting.value().apply(next))).toList();
        return new ConfigChanges(changed.stream().filter(Setting::live).map(Setting::option).toList(),
                changed.stream().filter(setting -> !setting.live()).map(Setting::option).toList());
    }

    public boolean none() {
        return applied.isEmpty() && needRestart.isEmpty();
    }
}
