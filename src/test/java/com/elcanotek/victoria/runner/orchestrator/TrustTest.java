package com.elcanotek.victoria.runner.orchestrator;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.network.NetworkSettings;
import com.elcanotek.victoria.runner.network.ProxySettings;
import com.elcanotek.victoria.runner.network.Trust;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.junit.QuarkusTest;

/**
 * HTTPS is verified against the trust in use: the JVM's and the system's authorities (SSL_CERT_FILE, SSL_CERT_DIR),
 * with the --ca-file added to them, or the --ca-file alone. Two servers with private authorities of their own, A and
 * B, as a system's private CA and an operator's would be.
 */
@QuarkusTest
class TrustTest {

    static WireMockServer serverA;
    static WireMockServer serverB;
    static Path caA;
    static Path caB;
    static Path dirWithA;

    @Inject
    ObjectMapper json;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        caA = dir.resolve("a.pem");
        caB = dir.resolve("b.pem");
        serverA = server(dir, "a", caA);
        serverB = server(dir, "b", caB);
        dirWithA = Files.createDirectories(dir.resolve("certs"));
        // named as c_rehash and update-ca-certificates name them: OpenSSL looks up nothing else in such a folder
        Files.copy(caA, dirWithA.resolve("a1b2c3d4.0"));
    }

    /** A server certificate for localhost that no public authority signed, as an operator's private CA would. */
    private static WireMockServer server(Path dir, String name, Path caFile) throws Exception {
        Path keystore = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost,O=" + name, "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", caFile.toString());
        WireMockServer server = new WireMockServer(options().dynamicPort().dynamicHttpsPort().bindAddress("127.0.0.1")
                .keystorePath(keystore.toString()).keystorePassword("changeit").keyManagerPassword("changeit")
                .keystoreType("PKCS12"));
        server.start();
        server.stubFor(get("/tasks/pending").willReturn(okJson("null")));
        return server;
    }

    @AfterAll
    static void stop() {
        serverA.stop();
        serverB.stop();
    }

    @Test
    void certificateNotSignedByATrustedAuthorityIsRefused() {
        serverA.resetRequests();

        assertRefused(serverA, Trust.of(null, false, Map.of()));
        assertThat(serverA.getAllServeEvents()).isEmpty();
    }

    @Test
    void certificateSignedByTheGivenCaFileIsAccepted() {
        assertAccepted(serverB, Trust.of(caB, false, Map.of()));
    }

    @Test
    void sslCertFileAndSslCertDirAreTheSystemsAuthorities() {
        assertAccepted(serverA, Trust.of(null, false, Map.of("SSL_CERT_FILE", caA.toString())));
        assertAccepted(serverA, Trust.of(null, false, Map.of("SSL_CERT_FILE", "/nonexistent", "SSL_CERT_DIR",
                "/nonexistent:" + dirWithA)));
    }

    @Test
    void theCaFileIsAddedToTheSystemsAuthoritiesUnlessItIsToBeTrustedAlone() {
        Map<String, String> system = Map.of("SSL_CERT_FILE", caA.toString());

        assertAccepted(serverA, Trust.of(caB, false, system));
        assertAccepted(serverB, Trust.of(caB, false, system));

        assertRefused(serverA, Trust.of(caB, true, system));
        assertAccepted(serverB, Trust.of(caB, true, system));
    }

    @Test
    void theJvmsAuthoritiesAreTrustedBesideTheCaFile() {
        var sources = Trust.of(caB, false, Map.of()).sources();
        assertThat(sources.get("the JVM")).isNotEmpty();
        assertThat(sources.keySet()).contains("the JVM", caB.toString());

        assertThat(Trust.of(caB, true, Map.of()).sources().keySet()).containsExactly(caB.toString());
        assertThat(Trust.of(caB, true, Map.of()).certificates()).hasSize(1);
    }

    @Test
    void aCaFileWithoutCertificatesIsRefused(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");

        assertThatThrownBy(() -> Trust.of(empty, false, Map.of()).check()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(empty.toString());
    }

    private void assertAccepted(WireMockServer server, Trust trust) {
        server.resetRequests();
        assertThat(client(server, trust).claimNextTask()).isEmpty();
        assertThat(server.getAllServeEvents()).hasSize(1);
    }

    private void assertRefused(WireMockServer server, Trust trust) {
        assertThatThrownBy(client(server, trust)::claimNextTask).isInstanceOfSatisfying(OrchestratorException.class,
                e -> assertThat(e.status()).isEqualTo(OrchestratorException.NO_ANSWER));
    }

    private Orchestrator client(WireMockServer server, Trust trust) {
        ClientSettings settings = new ClientSettings(URI.create("https://localhost:" + server.httpsPort()),
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5),
                new NetworkSettings(ProxySettings.NONE, trust, false), "victoria-runner/test",
                new Backoff.Policy(Duration.ofMillis(10), Duration.ofMillis(20)));
        return new Orchestrator(settings, () -> "key", json, Clock.systemUTC(), new SecretMasker());
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
    }
}
