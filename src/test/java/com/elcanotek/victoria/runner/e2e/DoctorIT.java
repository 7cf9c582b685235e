package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.RequestRecord;
import com.elcanotek.victoria.runner.network.LoopbackProxy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What an operator runs when something is wrong, as a process: {@code doctor} beside a running runner (it passes, and
 * changes nothing the runner did with the orchestrator), against an orchestrator that is not there or settings that
 * do not resolve (it fails, exit 1); the daemon refusing a state dir inside the Victoria home; {@code --version}.
 */
class DoctorIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void theDoctorPassesBesideARunningRunnerAndChangesNothing() throws Exception {
        String name = "doctor-" + ProcessHandle.current().pid();
        try (FakeOrchestrator fake = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, name, Map.of(), Map.of())) {
            Awaitility.await().atMost(PATIENCE).until(() -> runner.output().contains("Runner '" + name + "' started"));
            int requests = fake.requests().size();

            // the URL spelled otherwise than the daemon's: the same orchestrator, the same stored key
            RunnerProcess doctor = doctor(fake.url() + "/", name, Map.of(), "doctor", "--json");

            assertThat(doctor.waitFor(PATIENCE)).as(doctor.output()).isZero();
            JsonNode report = new ObjectMapper().readTree(doctor.output().substring(doctor.output().indexOf('{')));
            assertThat(report.path("failed").asInt()).as(doctor.output()).isZero();
            List<String> checks = new ArrayList<>();
            report.path("checks").forEach(check -> checks.add(check.path("group").asText() + "/" + check.path("name").asText()
                    + "=" + check.path("result").asText()));
            assertThat(checks).contains("configuration/state dir=ok", "network/connection=ok", "network/orchestrator=ok",
                    "network/clock=ok", "identity/key=ok", "engine/answers=ok", "engine/image=ok", "host/locale=ok");
            assertThat(report.path("checks")).filteredOn(check -> check.path("name").asText().equals("key"))
                    .extracting(check -> check.path("why").asText()).singleElement().asString()
                    .startsWith("the orchestrator takes the stored key of node ");
            List<RequestRecord> byDoctor = fake.requests().subList(requests, fake.requests().size()).stream()
                    .filter(request -> !request.path().equals("/nodes/heartbeat") && !request.path().equals("/tasks/pending"))
                    .toList();
            assertThat(byDoctor).extracting(RequestRecord::path).containsOnly("/files/victoria-runner-doctor-probe");
            assertThat(runner.isAlive()).isTrue();
        }
    }

    @Test
    void anOrchestratorThatIsNotThereFailsTheDoctor() throws Exception {
        RunnerProcess doctor = doctor("http://127.0.0.1:" + LoopbackProxy.freePort(), "doctor-down", Map.of(), "doctor");

        assertThat(doctor.waitFor(PATIENCE)).isEqualTo(1);
        assertThat(doctor.output()).containsPattern("FAIL +network +connection: cannot connect to 127.0.0.1:")
                .contains("fix: check the orchestrator URL").containsPattern("\\d+ checks as \\S+: \\d+ ok, \\d+ warnings, 1 failed");
    }

    @Test
    void settingsThatDoNotResolveFailTheDoctor() throws Exception {
        RunnerProcess doctor = doctor("ftp://nowhere", "doctor-invalid", Map.of(), "doctor");

        assertThat(doctor.waitFor(PATIENCE)).isEqualTo(1);
        assertThat(doctor.output()).containsPattern("FAIL +configuration settings: .*--orchestrator-url");
    }

    @Test
    void theDaemonRefusesAStateDirInsideTheVictoriaHome() throws Exception {
        Path home = work.resolve("home");
        RunnerProcess daemon = RunnerProcess.start(work, List.of("--orchestrator-url", "http://127.0.0.1:1", "--victoria-home",
                home.toString(), "--state-dir", home.resolve(".state").toString(), "--container-image", RunnerProcess.TEST_IMAGE),
                Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", FakeBackedRunner.TOKEN));

        assertThat(daemon.waitFor(PATIENCE)).isEqualTo(2);
        assertThat(daemon.output()).contains("the state dir " + home.resolve(".state") + " is inside the Victoria home " + home)
                .contains("node key");
        assertThat(home.resolve(".state")).doesNotExist();
    }

    @Test
    void theVersionNamesTheUserAgent() throws Exception {
        RunnerProcess version = RunnerProcess.start(work, List.of("--version"), Map.of());

        assertThat(version.waitFor(PATIENCE)).isZero();
        assertThat(version.output()).containsPattern("User-Agent: victoria-runner/\\S+ \\([^;]+; [^;]+; podman \\d+\\.\\d+");
    }

    private RunnerProcess doctor(String url, String name, Map<String, String> environment, String... command) throws Exception {
        List<String> args = new ArrayList<>(FakeBackedRunner.arguments(url, work, name, Map.of()));
        args.addAll(List.of(command));
        Map<String, String> env = new HashMap<>(Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", FakeBackedRunner.TOKEN));
        env.putAll(environment);
        return RunnerProcess.start(work, args, env);
    }
}
