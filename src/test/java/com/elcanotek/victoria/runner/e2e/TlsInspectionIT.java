package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.container.TaskNetwork;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.elcanotek.victoria.runner.network.LoopbackProxy;
import com.elcanotek.victoria.runner.network.TestAuthority;

/**
 * A corporate network that inspects TLS: the orchestrator serves HTTPS with a certificate of its own authority, and
 * the only way to it is squid, which bumps every connection with certificates its own authority (the "corporate CA")
 * signs on the fly. The runner reaches it given that CA with --ca-file, added to the authorities it trusts anyway; the
 * task containers get the same authorities with --ca-to-containers. Without it, the handshake with squid fails.
 */
class TlsInspectionIT {

    private static final Duration TASK_WAIT = Duration.ofSeconds(90);

    @TempDir
    Path work;

    @TempDir
    Path certificates;

    /** The orchestrator's authority, and the corporate one squid bumps TLS with. */
    TestAuthority origin;
    TestAuthority corporate;

    @BeforeEach
    void authorities() {
        origin = TestAuthority.create(certificates, "orchestrator");
        corporate = TestAuthority.create(certificates, "corporate");
    }

    private LoopbackProxy inspectingProxy() throws Exception {
        return LoopbackProxy.squid(null, null, corporate, origin.certificate());
    }

    private FakeOrchestrator orchestrator() {
        return FakeBackedRunner.fake().tls(origin.serverContext(certificates)).build().start();
    }

    @Test
    void theRunnerAndItsTasksCrossAnInspectingProxyGivenItsAuthority() throws Exception {
        try (LoopbackProxy squid = inspectingProxy(); FakeOrchestrator fake = orchestrator();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, "tls-" + ProcessHandle.current().pid(),
                        Map.of("--orchestrator-url", ProxyIT.orchestrator(fake), "--ca-file", corporate.certificate().toString()),
                        Map.of("https_proxy", squid.url(), "VICTORIA_RUNNER_CA_TO_CONTAINERS", "true"))) {
            String task = fake.createTask(TaskSpec.builder("files sleep=4")
                    .file("data.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8)).build());
            Awaitility.await().atMost(TASK_WAIT).until(() -> !runner.runningContainers().isEmpty());
            String container = runner.runningContainers().get(0);
            String bundle = Podman.run("exec", container, "cat", TaskNetwork.CA_BUNDLE_IN_CONTAINER);
            String env = Podman.run("exec", container, "env");

            fake.awaitState(task, TaskState.SUCCESS, TASK_WAIT);

            String url = ProxyIT.orchestrator(fake);
            assertThat(squid.log()).contains("CONNECT " + LoopbackProxy.ORCHESTRATOR, "GET " + url + "/files/data.csv",
                    "POST " + url + "/status", "POST " + url + "/logs");
            assertThat(bundle).contains(pemBody(corporate.certificate()));
            assertThat(env).contains("SSL_CERT_FILE=" + TaskNetwork.CA_BUNDLE_IN_CONTAINER,
                    "REQUESTS_CA_BUNDLE=" + TaskNetwork.CA_BUNDLE_IN_CONTAINER,
                    "NODE_EXTRA_CA_CERTS=" + TaskNetwork.CA_BUNDLE_IN_CONTAINER, "HTTPS_PROXY=" + squid.url());
        }
    }

    @Test
    void withoutTheInspectingProxysAuthorityTheHandshakeFails() throws Exception {
        try (LoopbackProxy squid = inspectingProxy(); FakeOrchestrator fake = orchestrator();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, "tls-refused-" + ProcessHandle.current().pid(),
                        Map.of("--orchestrator-url", ProxyIT.orchestrator(fake), "--ca-file", origin.certificate().toString()),
                        Map.of("https_proxy", squid.url()))) {
            Awaitility.await().atMost(TASK_WAIT).until(() -> runner.output().contains("POST /register: orchestrator "
                    + "unreachable through the proxy " + squid.url()));

            assertThat(runner.output()).containsPattern("PKIX|certification path");
            assertThat(fake.requests()).isEmpty();
        }
    }

    private static String pemBody(Path pem) throws Exception {
        String text = Files.readString(pem);
        return text.substring(text.indexOf('\n') + 1, text.indexOf("-----END")).lines().findFirst().orElseThrow();
    }
}
