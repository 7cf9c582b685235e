package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;

/** A refusal no restart can fix ends the daemon with status 78, so systemd stops restarting it. */
class RegistrationRefusedIT {

    @TempDir
    Path work;

    @Test
    void wrongTokenExits78WithTheProtocolsMessage() throws Exception {
        try (FakeOrchestrator fake = FakeBackedRunner.fake().build().start();
                RunnerProcess runner = start(fake, "wrong-token")) {

            assertThat(runner.waitFor(Duration.ofSeconds(30))).isEqualTo(78);
            assertThat(runner.output()).contains("Registration failed - invalid registration token")
                    .doesNotContain("wrong-token");
        }
    }

    @Test
    void disabledRegistrationExits78() throws Exception {
        try (FakeOrchestrator fake = FakeBackedRunner.fake().registrationDisabled(true).build().start();
                RunnerProcess runner = start(fake, FakeBackedRunner.TOKEN)) {

            assertThat(runner.waitFor(Duration.ofSeconds(30))).isEqualTo(78);
            assertThat(runner.output()).contains("Registration failed - orchestrator has registration disabled");
        }
    }

    @Test
    void storedKeyRefusedAndTokenRevokedExits78() throws Exception {
        try (FakeOrchestrator fake = FakeBackedRunner.fake().build().start()) {
            Path state = Files.createDirectories(work.resolve("state"));
            Files.writeString(state.resolve("credentials.json"), "{\"node_id\":\"7d1f5a0e-1111-4222-8333-444455556666\","
                    + "\"api_key\":\"revoked-key\",\"name\":\"refused\",\"orchestrator_url\":\"" + fake.url() + "\"}");
            try (RunnerProcess runner = start(fake, "revoked-token")) {

                assertThat(runner.waitFor(Duration.ofSeconds(30))).isEqualTo(78);
                assertThat(runner.output()).contains("Using stored node identity")
                        .contains("Registration failed - invalid registration token");
            }
        }
    }

    @Test
    void aStopWhileRegistrationIsRetriedEndsAtOnceAndCleanly() throws Exception {
        try (FakeOrchestrator fake = FakeBackedRunner.fake().build().start()) {
            fake.failNext("POST", "/register", 500, "Internal Server Error", 1000);
            try (RunnerProcess runner = start(fake, FakeBackedRunner.TOKEN)) {
                Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> fake.requests().stream().filter(r -> r.path().equals("/register")).count() >= 2);

                long stopping = System.nanoTime();
                // Well inside the unit's TimeoutStopSec (90 s).
                assertThat(runner.terminate(Duration.ofSeconds(20))).isZero();
                System.out.printf("RegistrationRefusedIT: stopped %d ms after SIGTERM during registration retries%n",
                        (System.nanoTime() - stopping) / 1_000_000);
            }
        }
    }

    private RunnerProcess start(FakeOrchestrator fake, String token) throws Exception {
        return RunnerProcess.start(work, FakeBackedRunner.arguments(fake, work, "refused", Map.of("--heartbeat-interval", "1")),
                Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", token));
    }
}
