package com.elcanotek.victoria.runner.orchestrator;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;


import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.junit.QuarkusTest;

/** HTTPS is verified: an orchestrator with a private CA is reachable only when its CA file is given. */
@QuarkusTest
class TrustTest {

    static WireMockServer server;
    static Path caFile;

    @Inject
    ObjectMapper json;

    /** A server certificate for localhost that no public authority signed, as an operator's private CA would. */
    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        caFile = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", caFile.toString());
        server = new WireMockServer(options().dynamicPort().dynamicHttpsPort().bindAddress("127.0.0.1")
                .keystorePath(keystore.toString()).keystorePassword("changeit").keyManagerPassword("changeit")
                .keystoreType("PKCS12"));
        server.start();
        server.stubFor(get("/tasks/pending").willReturn(okJson("null")));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void certificateNotSignedByATrustedAuthorityIsRefused() {
        server.resetRequests();
        Orchestrator orchestrator = client(null);

        assertThatThrownBy(orchestrator::claimNextTask).isInstanceOfSatisfying(OrchestratorException.class,
                e -> assertThat(e.status()).isEqualTo(OrchestratorException.NO_ANSWER));
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    @Test
    void certificateSignedByTheGivenCaFileIsAccepted() {
        server.resetRequests();
        assertThat(client(caFile).claimNextTask()).isEmpty();
        assertThat(server.getAllServeEvents()).hasSize(1);
    }

    private Orchestrator client(Path caFile) {
        ClientSettings settings = new ClientSettings(URI.create("https://localhost:" + server.httpsPort()),
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), caFile,
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
