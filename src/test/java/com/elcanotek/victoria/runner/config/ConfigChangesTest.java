package com.elcanotek.victoria.runner.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.container.ContainerPolicy;
import com.elcanotek.victoria.runner.network.NetworkSettings;
import com.elcanotek.victoria.runner.network.ProxySettings;
import com.elcanotek.victoria.runner.network.Trust;

class ConfigChangesTest {

    static final RunnerConfig RUNNING = TestConfigs.runnerConfig(URI.create("http://127.0.0.1:1"), "token-A", Path.of("/a"),
            Duration.ofSeconds(30), Duration.ofSeconds(30), HousekeepingConfig.defaults());

    /** Every setting differs from {@link #RUNNING}. */
    static final RunnerConfig OTHER = new RunnerConfig(URI.create("https://other:2"), "token-B", "node-2", Duration.ofSeconds(5),
            Duration.ofSeconds(7), Duration.ofSeconds(9), "other/image:2", Path.of("/b/home"), Path.of("/b/env"), "docker",
            Path.of("/b/state"),
            new NetworkSettings(ProxySettings.resolve("http://proxy:3128", null, Map.of()), Trust.of(Path.of("/b/ca.pem"), false,
                    Map.of()), true), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), 4,
            5, 13, 6, true, Duration.ofSeconds(8), Duration.ofSeconds(11), Duration.ofSeconds(12), true,
            new HousekeepingConfig(Duration.ofDays(2), 0, true),
            new ContainerPolicy("1g", "2", 10, "1g", false, false, List.of(), List.of("/dev/fuse"), "all", 0, "always"),
            Duration.ZERO, Path.of("/b/auth.json"), true, "9100");

    @Test
    void liveSettingsAreAppliedAndTheRestIsNamedAsNeedingARestart() {
        ConfigChanges changes = ConfigChanges.between(RUNNING, OTHER);

        assertThat(changes.applied()).contains("--poll-interval", "--heartbeat-interval", "--lease-renewal-interval",
                "--container-image", "--max-concurrent-tasks", "--verbose", "--log-format", "--image-refresh-interval",
                "--registration-token").anyMatch(option -> option.contains("--memory"));
        assertThat(changes.needRestart()).containsExactlyInAnyOrder("--orchestrator-url", "--name", "--victoria-home",
                "--container-runtime", "--state-dir",
                "--proxy, --no-proxy, --ca-file, --ca-file-only, --ca-to-containers (or the proxy variables, SSL_CERT_FILE, "
                        + "SSL_CERT_DIR)", "--connect-timeout", "--read-timeout", "--logs-timeout", "--start-timeout",
                "--delivery-timeout",
                "--max-file-size", "--max-task-files-size", "--logs-max-bytes", "--retention-days, --min-free-disk, --prune-images",
                "--registry-auth-file", "--management-port");
    }

    @Test
    void theMergedSettingsTakeExactlyTheLiveOnes() {
        RunnerConfig merged = RUNNING.withLiveSettingsOf(OTHER);

        assertThat(ConfigChanges.between(RUNNING, merged).applied()).isEqualTo(ConfigChanges.between(RUNNING, OTHER).applied());
        assertThat(ConfigChanges.between(RUNNING, merged).needRestart()).isEmpty();
        assertThat(ConfigChanges.between(merged, OTHER).applied()).isEmpty();
    }

    /** A setting the table forgets would be neither applied nor named by a reload. */
    @Test
    void everySettingIsInTheTable() {
        ConfigChanges changes = ConfigChanges.between(RUNNING, OTHER);
        assertThat(changes.applied().size() + changes.needRestart().size())
                .isEqualTo(RunnerConfig.class.getRecordComponents().length);
    }

    @Test
    void namesOnlyNeverValues() {
        ConfigChanges changes = ConfigChanges.between(RUNNING, OTHER);

        assertThat(String.join(" ", changes.applied()) + String.join(" ", changes.needRestart()))
                .doesNotContain("token-A", "token-B");
        assertThat(ConfigChanges.between(RUNNING, RUNNING).none()).isTrue();
    }
}
