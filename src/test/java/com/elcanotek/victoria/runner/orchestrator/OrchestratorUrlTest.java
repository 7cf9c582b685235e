package com.elcanotek.victoria.runner.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrchestratorUrlTest {

    @ParameterizedTest
    @CsvSource({ "https://atq.example, https://atq.example", "https://atq.example/, https://atq.example",
            "HTTPS://ATQ.Example, https://atq.example", "https://atq.example:443/, https://atq.example",
            "http://atq.example:80, http://atq.example", "http://atq.example:8765/, http://atq.example:8765",
            "https://atq.example/api//, https://atq.example/api", "'  https://atq.example/api  ', https://atq.example/api",
            "https://atq.example/API, https://atq.example/API", "https://atq.example:80, https://atq.example:80",
            "http://[::1]:80/, http://[::1]", "not a url, not a url" })
    void oneSpellingForEachOrchestrator(String url, String normalized) {
        assertThat(OrchestratorUrl.normalized(url)).isEqualTo(normalized);
    }

    @Test
    void anotherHostPortOrPathIsAnotherOrchestrator() {
        assertThat(OrchestratorUrl.same("https://atq.example", "https://ATQ.example:443/")).isTrue();
        assertThat(OrchestratorUrl.same("https://atq.example", "http://atq.example")).isFalse();
        assertThat(OrchestratorUrl.same("https://atq.example", "https://atq.example:8443")).isFalse();
        assertThat(OrchestratorUrl.same("https://atq.example", "https://other.example")).isFalse();
        assertThat(OrchestratorUrl.same("https://atq.example/a", "https://atq.example/b")).isFalse();
        assertThat(OrchestratorUrl.same("https://atq.example", null)).isFalse();
    }

    @Test
    void theOriginIsSchemeHostAndPortWhateverThePath() {
        assertThat(OrchestratorUrl.sameOrigin(URI.create("https://ATQ.example:443/node/api"), URI.create("https://atq.example")))
                .isTrue();
        assertThat(OrchestratorUrl.sameOrigin(URI.create("http://atq.example"), URI.create("https://atq.example"))).isFalse();
        assertThat(OrchestratorUrl.sameOrigin(URI.create("https://atq.example:8443"), URI.create("https://atq.example")))
                .isFalse();
        assertThat(OrchestratorUrl.sameOrigin(URI.create("/relative"), URI.create("https://atq.example"))).isFalse();
    }
}
