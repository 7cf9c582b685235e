package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskSpec;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.elcanotek.victoria.runner.network.LoopbackProxy;
import com.elcanotek.victoria.runner.network.TestAuthority;

/**
 * The packaged runner on a host whose way out is an HTTP proxy on loopback. The orchestrator is called
 * {@code orchestrator.test}, a name only the proxy (squid, with a hosts file of its own) can resolve: a task that ends
 * well went through the proxy in every call, as its log shows call by call. The no-proxy list sends calls past a
 * proxy that is not there; a proxy (tinyproxy) that wants credentials or refuses the way is named in the error.
 */
class ProxyIT {

    private static final Duration TASK_WAIT = Duration.ofSeconds(90);
    private static final String PASSWORD = "Pr0xy-pa55word";

    @TempDir
    Path work;

    @Test
    void everyCallAndDownloadGoesThroughAProxyThatWantsCredentials() throws Exception {
        try (LoopbackProxy proxy = LoopbackProxy.squid("victoria", PASSWORD, null, null);
                FakeOrchestrator fake = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, name("through"),
                        Map.of("--orchestrator-url", orchestrator(fake), "--heartbeat-interval", "1"),
                        Map.of("http_proxy", proxy.url("victoria", PASSWORD)))) {
            String task = fake.createTask(TaskSpec.builder("files sleep=3")
                    .file("data.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8)).build());
            Awaitility.await().atMost(TASK_WAIT).until(() -> !runner.runningContainers().isEmpty());
            assertThat(commandLinesContaining(PASSWORD)).as("process listings").isEmpty();

            TaskSnapshot done = fake.awaitState(task, TaskState.SUCCESS, TASK_WAIT);

            assertThat(done.logSubmissions()).isPositive();
            String url = orchestrator(fake);
            assertThat(proxy.log()).contains("POST " + url + "/register victoria", "GET " + url + "/tasks/pending victoria",
                    "POST " + url + "/nodes/heartbeat victoria", "GET " + url + "/files/data.csv victoria",
                    "POST " + url + "/logs victoria", "POST " + url + "/status victoria");
            assertThat(runner.output()).contains("go through the proxy http://127.0.0.1:" + proxy.port() + " (with credentials)")
                    .doesNotContain(PASSWORD);
        }
    }

    @Test
    void httpsGoesThroughTheProxysTunnelWithCredentials(@TempDir Path certificates) throws Exception {
        TestAuthority authority = TestAuthority.create(certificates, "orchestrator");
        try (LoopbackProxy proxy = LoopbackProxy.tinyproxy("BasicAuth victoria " + PASSWORD);
                FakeOrchestrator fake = FakeBackedRunner.fake().tls(authority.serverContext(certificates)).build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, name("tunnel"),
                        Map.of("--ca-file", authority.certificate().toString()),
                        Map.of("HTTPS_PROXY", proxy.url("victoria", PASSWORD)))) {
            String task = fake.createTask(TaskSpec.builder("files")
                    .file("data.csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8)).build());

            fake.awaitState(task, TaskState.SUCCESS, TASK_WAIT);

            assertThat(proxy.log()).contains("CONNECT localhost:" + fake.port());
            assertThat(runner.output()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void theNoProxyListSendsCallsPastTheProxy() throws Exception {
        int nothing = LoopbackProxy.freePort();
        try (FakeOrchestrator fake = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, name("past"), Map.of("--no-proxy", "127.0.0.0/8"),
                        Map.of("HTTP_PROXY", "http://127.0.0.1:" + nothing, "HTTPS_PROXY", "http://127.0.0.1:" + nothing))) {
            String task = fake.createTask("exit=0");

            fake.awaitState(task, TaskState.SUCCESS, TASK_WAIT);
            assertThat(runner.output()).contains("Orchestrator calls go direct: 127.0.0.1 is in the no-proxy list");
        }
    }

    @Test
    void aProxyWantingCredentialsIsNamedForPlainAndTunnelledCalls(@TempDir Path certificates) throws Exception {
        TestAuthority authority = TestAuthority.create(certificates, "orchestrator");
        try (LoopbackProxy proxy = LoopbackProxy.tinyproxy("BasicAuth victoria " + PASSWORD);
                FakeOrchestrator plain = FakeBackedRunner.fake().build().start();
                FakeOrchestrator tls = FakeBackedRunner.fake().tls(authority.serverContext(certificates)).build().start();
                FakeBackedRunner viaPlain = FakeBackedRunner.start(plain, work.resolve("plain"), name("plain407"), Map.of(),
                        Map.of("http_proxy", proxy.url()));
                FakeBackedRunner viaTunnel = FakeBackedRunner.start(tls, work.resolve("tunnel"), name("tunnel407"),
                        Map.of("--ca-file", authority.certificate().toString()), Map.of("https_proxy", proxy.url()))) {
            String refusal = "the proxy http://127.0.0.1:" + proxy.port() + " refused the request (407";
            Awaitility.await().atMost(TASK_WAIT).until(() -> viaPlain.output().contains(refusal)
                    && viaTunnel.output().contains(refusal));

            assertThat(viaPlain.output() + viaTunnel.output()).contains("it wants credentials")
                    .doesNotContain("orchestrator unreachable");
            assertThat(plain.requests()).isEmpty();
            assertThat(tls.requests()).isEmpty();
        }
    }

    @Test
    void aProxyRefusingTheWayIsNamedAndNeverTakenForACancellation() throws Exception {
        try (LoopbackProxy proxy = LoopbackProxy.tinyproxy("Deny 127.0.0.1");
                FakeOrchestrator fake = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(fake, work, name("denied"), Map.of(),
                        Map.of("http_proxy", proxy.url()))) {
            Awaitility.await().atMost(TASK_WAIT).until(() -> runner.output()
                    .contains("the proxy http://127.0.0.1:" + proxy.port() + " refused the request (403"));

            assertThat(runner.output()).contains("its access rules").doesNotContain("orchestrator unreachable");
            assertThat(fake.requests()).isEmpty();
        }
    }

    /** The fake by a name only squid knows. */
    static String orchestrator(FakeOrchestrator fake) {
        return fake.url().replaceFirst("//[^:/]+:", "//" + LoopbackProxy.ORCHESTRATOR + ":");
    }

    private static String name(String what) {
        return "proxy-" + what + "-" + ProcessHandle.current().pid();
    }

    /** The command lines of every process that hold {@code text}. */
    private static java.util.List<Long> commandLinesContaining(String text) throws IOException {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(dir -> dir.getFileName().toString().matches("\\d+")).filter(dir -> {
                try {
                    return new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8).contains(text);
                } catch (IOException gone) {
                    return false;
                }
            }).map(dir -> Long.parseLong(dir.getFileName().toString())).toList();
        }
    }
}
