package com.elcanotek.victoria.runner.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.doctor.Check.Result;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.network.LoopbackProxy;
import com.elcanotek.victoria.runner.network.NetworkSettings;
import com.elcanotek.victoria.runner.network.ProxySettings;
import com.elcanotek.victoria.runner.network.TestAuthority;
import com.elcanotek.victoria.runner.network.Trust;
import com.elcanotek.victoria.runner.node.Credentials;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The doctor's network and identity checks against the fake orchestrator over HTTP and HTTPS, directly and through
 * real proxies: each passes, and fails where the way does, saying where.
 */
class NetworkChecksTest {

    private static final String TOKEN = "doctor-registration-token";

    @TempDir
    Path dir;

    private static List<Check> probe(String url, NetworkSettings network, Map<String, String> headers) {
        URI target = URI.create(url);
        OrchestratorProbe.Outcome outcome = new OrchestratorProbe(Duration.ofSeconds(10)).get(target, "/files/"
                + IdentityChecks.PROBE_FILE, headers, network.proxy().forTarget(target), network.trust());
        return NetworkChecks.probe(target, network, outcome, Instant.now());
    }

    private static NetworkSettings network(String proxy, Trust trust) {
        return new NetworkSettings(ProxySettings.resolve(proxy, null, Map.of()), trust, false);
    }

    private static Check named(List<Check> checks, String name) {
        return checks.stream().filter(check -> check.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + checks));
    }

    @Test
    void aReachableOrchestratorPassesEveryStepAndItsClockIsCompared() {
        try (FakeOrchestrator fake = FakeOrchestrator.builder().build().start()) {
            List<Check> checks = probe(fake.url(), NetworkSettings.direct(), Map.of());

            assertThat(checks).extracting(Check::name).containsExactly("connection", "orchestrator", "clock");
            assertThat(checks).allSatisfy(check -> assertThat(check.result()).as(check.toString()).isEqualTo(Result.OK));
            assertThat(named(checks, "orchestrator").why()).contains("401");
        }
    }

    @Test
    void nothingListeningFailsAtTheConnection() throws Exception {
        List<Check> checks = probe("http://127.0.0.1:" + LoopbackProxy.freePort(), NetworkSettings.direct(), Map.of());

        assertThat(checks).singleElement().satisfies(check -> {
            assertThat(check.result()).isEqualTo(Result.FAIL);
            assertThat(check.why()).contains("cannot connect to 127.0.0.1:", "refused");
        });
    }

    @Test
    void anOrchestratorThatFailsFails() {
        try (FakeOrchestrator fake = FakeOrchestrator.builder().build().start()) {
            fake.failNext("GET", "/files/" + IdentityChecks.PROBE_FILE, 503, "database down", 1);

            Check answer = named(probe(fake.url(), NetworkSettings.direct(), Map.of()), "orchestrator");

            assertThat(answer.result()).isEqualTo(Result.FAIL);
            assertThat(answer.why()).contains("503");
        }
    }

    @Test
    void aProxyWantingCredentialsFailsTheTunnelAndThePlainRequestNamingIt() throws Exception {
        TestAuthority authority = TestAuthority.create(dir, "orchestrator");
        try (LoopbackProxy proxy = LoopbackProxy.tinyproxy("BasicAuth victoria secret");
                FakeOrchestrator plain = FakeOrchestrator.builder().build().start();
                FakeOrchestrator tls = FakeOrchestrator.builder().tls(authority.serverContext(dir)).build().start()) {
            Trust trust = Trust.of(authority.certificate(), false, Map.of());

            Check tunnel = named(probe(tls.url(), network(proxy.url(), trust), Map.of()), "connection");
            assertThat(tunnel.result()).isEqualTo(Result.FAIL);
            assertThat(tunnel.why()).contains("the proxy " + proxy.url() + " refused the tunnel", "407");
            assertThat(tunnel.fix()).contains("credentials");

            Check request = named(probe(plain.url(), network(proxy.url(), trust), Map.of()), "orchestrator");
            assertThat(request.result()).isEqualTo(Result.FAIL);
            assertThat(request.why()).contains("wants credentials", "407");

            List<Check> withCredentials = probe(tls.url(), network(proxy.url("victoria", "secret"), trust), Map.of());
            assertThat(withCredentials).extracting(Check::result).containsOnly(Result.OK);
            assertThat(named(withCredentials, "connection").why()).contains("which tunnels to localhost");
        }
    }

    @Test
    void aCertificateNoTrustedAuthoritySignedFailsTheHandshakeAndIsDescribed() throws Exception {
        TestAuthority authority = TestAuthority.create(dir, "orchestrator");
        try (FakeOrchestrator tls = FakeOrchestrator.builder().tls(authority.serverContext(dir)).build().start()) {
            Check refused = named(probe(tls.url(), network(null, Trust.of(null, false, Map.of())), Map.of()), "tls");
            assertThat(refused.result()).isEqualTo(Result.FAIL);
            assertThat(refused.why()).contains("CN=localhost", "issued by CN=orchestrator Test CA",
                    "valid until", "trusted: the JVM");
            assertThat(refused.fix()).contains("--ca-file");

            Check trusted = named(probe(tls.url(), network(null, Trust.of(authority.certificate(), false, Map.of())), Map.of()),
                    "tls");
            assertThat(trusted.result()).isEqualTo(Result.OK);
            assertThat(trusted.why()).contains("TLS", "issued by CN=orchestrator Test CA");
        }
    }

    @Test
    void throughAnInspectingProxyTheProxysCertificateIsShownAndItsAuthorityTrusted() throws Exception {
        TestAuthority origin = TestAuthority.create(dir, "orchestrator");
        TestAuthority corporate = TestAuthority.create(dir, "corporate");
        try (LoopbackProxy squid = LoopbackProxy.squid(null, null, corporate, origin.certificate());
                FakeOrchestrator tls = FakeOrchestrator.builder().tls(origin.serverContext(dir)).build().start()) {
            String url = "https://" + LoopbackProxy.ORCHESTRATOR + ":" + tls.port();

            Check refused = named(probe(url, network(squid.url(), Trust.of(origin.certificate(), false, Map.of())), Map.of()),
                    "tls");
            assertThat(refused.result()).isEqualTo(Result.FAIL);
            assertThat(refused.why()).contains("issued by CN=corporate Test CA");

            List<Check> trusted = probe(url, network(squid.url(), Trust.of(corporate.certificate(), false, Map.of())), Map.of());
            assertThat(trusted).extracting(Check::result).containsOnly(Result.OK);
        }
    }

    @Test
    void namesAreResolvedUnlessTheProxyResolvesThem() {
        assertThat(NetworkChecks.dns(URI.create("http://127.0.0.1:1"), Optional.empty()).result()).isEqualTo(Result.OK);

        Check unknown = NetworkChecks.dns(URI.create("https://doctor-test.invalid"), Optional.empty());
        assertThat(unknown.result()).isEqualTo(Result.FAIL);
        assertThat(unknown.why()).contains("the orchestrator doctor-test.invalid does not resolve");

        Check proxied = NetworkChecks.dns(URI.create("https://doctor-test.invalid"),
                ProxySettings.resolve("http://127.0.0.1:3128", null, Map.of()).forTarget(URI.create("https://x")));
        assertThat(proxied.result()).isEqualTo(Result.OK);
        assertThat(proxied.why()).contains("the proxy 127.0.0.1", "the proxy's to resolve");
    }

    @Test
    void theProxyInUseAndTheNoProxyListAreSaid() {
        URI url = URI.create("https://orchestrator.example.com");
        Trust trust = Trust.of(null, false, Map.of());

        assertThat(NetworkChecks.proxy(url, NetworkSettings.direct()).why()).contains("go direct: no proxy is set");
        assertThat(NetworkChecks.proxy(url, new NetworkSettings(ProxySettings.resolve(null, null,
                Map.of("HTTPS_PROXY", "http://u:pw@proxy:3128")), trust, false)).why())
                .contains("through http://proxy:3128 (with credentials) (from HTTPS_PROXY)").doesNotContain("pw");
        assertThat(NetworkChecks.proxy(url, new NetworkSettings(ProxySettings.resolve(null, null,
                Map.of("HTTPS_PROXY", "http://proxy:3128", "NO_PROXY", ".example.com")), trust, false)).why())
                .contains("the no-proxy list '.example.com' covers it");
    }

    @Test
    void aClockFarFromTheOrchestratorsIsSaid() {
        Instant now = Instant.parse("2026-01-01T12:00:00Z");

        assertThat(NetworkChecks.clock(Optional.of(now.minusSeconds(5)), now).result()).isEqualTo(Result.OK);
        assertThat(NetworkChecks.clock(Optional.of(now.minusSeconds(90)), now).result()).isEqualTo(Result.WARN);
        Check far = NetworkChecks.clock(Optional.of(now.plusSeconds(600)), now);
        assertThat(far.result()).isEqualTo(Result.FAIL);
        assertThat(far.why()).contains("600 s behind");
        assertThat(NetworkChecks.clock(Optional.empty(), now).result()).isEqualTo(Result.WARN);
    }

    @Test
    void aStoredKeyIsTriedWithoutRegisteringAndAKeyNoLongerTakenIsSaid() throws Exception {
        try (FakeOrchestrator fake = FakeOrchestrator.builder().registrationToken(TOKEN).build().start()) {
            HttpResponse<String> registered = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(fake.url()
                    + "/register")).header("X-Registration-Token", TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"hostname\": \"h\", \"name\": \"doctor-node\", \"os_type\": "
                            + "\"debian\"}")).build(), HttpResponse.BodyHandlers.ofString());
            var node = new ObjectMapper().readTree(registered.body());
            Credentials stored = new Credentials(node.path("id").asText(), node.path("api_key").asText(), "doctor-node",
                    fake.url(), "now");
            int requestsBefore = fake.requests().size();

            IdentityChecks.Answer taken = probeKey(fake, stored);
            assertThat(IdentityChecks.key(Optional.of(stored), true, Optional.of(taken)).result()).isEqualTo(Result.OK);
            fake.deleteNode("doctor-node");
            Check gone = IdentityChecks.key(Optional.of(stored), true, Optional.of(probeKey(fake, stored)));

            assertThat(gone.result()).isEqualTo(Result.WARN);
            assertThat(gone.why()).contains("no longer takes the stored key");
            assertThat(fake.requests().subList(requestsBefore, fake.requests().size())).extracting(r -> r.method() + " "
                    + r.path()).containsOnly("GET /files/" + IdentityChecks.PROBE_FILE);
        }
    }

    @Test
    void withoutAStoredIdentityTheFirstStartRegisters() {
        assertThat(IdentityChecks.key(Optional.empty(), false, Optional.empty()).result()).isEqualTo(Result.OK);
        Credentials other = new Credentials("id", "key", "other", "https://elsewhere", "then");
        assertThat(IdentityChecks.key(Optional.of(other), false, Optional.empty()).result()).isEqualTo(Result.WARN);
        assertThat(IdentityChecks.name("n1", "the host name").why()).isEqualTo("'n1', from the host name");
    }

    private static IdentityChecks.Answer probeKey(FakeOrchestrator fake, Credentials stored) {
        OrchestratorProbe.Outcome outcome = new OrchestratorProbe(Duration.ofSeconds(5)).get(URI.create(fake.url()),
                "/files/" + IdentityChecks.PROBE_FILE, Map.of("X-API-Key", stored.apiKey()), Optional.empty(),
                Trust.of(null, false, Map.of()));
        return new IdentityChecks.Answer(outcome.status(), outcome.body());
    }
}
