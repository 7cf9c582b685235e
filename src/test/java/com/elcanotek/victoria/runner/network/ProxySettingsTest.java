package com.elcanotek.victoria.runner.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Which proxy a URL takes, as curl decides it from the same variables, and how the options override them. */
class ProxySettingsTest {

    private static final URI HTTPS = URI.create("https://orchestrator.example.com/api");
    private static final URI HTTP = URI.create("http://orchestrator.example.com:8080");

    @Test
    void httpsUrlsTakeHttpsProxyAndHttpUrlsHttpProxyLowerCaseFirst() {
        ProxySettings proxies = ProxySettings.resolve(null, null, Map.of("https_proxy", "http://lower:3128",
                "HTTPS_PROXY", "http://upper:3128", "HTTP_PROXY", "http://plain:8080"));

        assertThat(proxies.forTarget(HTTPS)).map(ProxyUrl::address).contains("http://lower:3128");
        assertThat(proxies.forTarget(HTTP)).map(ProxyUrl::address).contains("http://plain:8080");
        assertThat(proxies.source()).isEqualTo("https_proxy");
    }

    @Test
    void upperCaseIsReadWhenLowerCaseIsUnsetOrEmpty() {
        ProxySettings proxies = ProxySettings.resolve(null, null, Map.of("https_proxy", "", "HTTPS_PROXY", "proxy.corp:3128"));

        assertThat(proxies.forTarget(HTTPS)).map(ProxyUrl::address).contains("http://proxy.corp:3128");
        assertThat(proxies.forTarget(HTTP)).isEmpty();
    }

    @Test
    void optionsOverrideTheEnvironment() {
        Map<String, String> environment = Map.of("HTTPS_PROXY", "http://env:3128", "NO_PROXY", "example.com");
        ProxySettings proxies = ProxySettings.resolve("http://option:8080", "other.org", environment);

        assertThat(proxies.forTarget(HTTPS)).map(ProxyUrl::address).contains("http://option:8080");
        assertThat(proxies.forTarget(HTTP)).map(ProxyUrl::address).contains("http://option:8080");
        assertThat(proxies.source()).isEqualTo("--proxy");
        assertThat(ProxySettings.resolve("http://option:8080", null, environment).forTarget(HTTPS)).isEmpty();
        assertThat(ProxySettings.resolve(null, "*", environment).forTarget(HTTPS)).isEmpty();
        assertThat(ProxySettings.resolve(null, "*", environment).bypassed(HTTPS)).isTrue();
    }

    @Test
    void credentialsAreDecodedAndNeverShown() {
        ProxyUrl proxy = ProxyUrl.parse("http://us%40er:p%3Ass+w0rd@proxy:3128/", "HTTPS_PROXY");

        assertThat(proxy.user()).isEqualTo("us@er");
        assertThat(proxy.password()).isEqualTo("p:ss+w0rd");
        assertThat(proxy.port()).isEqualTo(3128);
        assertThat(proxy.address()).isEqualTo("http://proxy:3128");
        assertThat(proxy.toString()).doesNotContain("p:ss", "p%3Ass", "us").contains("with credentials");
        assertThat(ProxySettings.resolve(null, null, Map.of("HTTPS_PROXY", proxy.raw())).toString()).doesNotContain("w0rd");
        assertThat(ProxyUrl.parse("http://proxy", "x").port()).isEqualTo(80);
        assertThat(ProxyUrl.parse("http://[::1]:3128", "x").address()).isEqualTo("http://[::1]:3128");
    }

    @Test
    void whatIsNoHttpProxyIsRefusedNamingItsSourceNotItsValue() {
        assertThatThrownBy(() -> ProxySettings.resolve(null, null, Map.of("HTTPS_PROXY", "socks5://u:secret@h:1")))
                .hasMessageStartingWith("HTTPS_PROXY").hasMessageContaining("socks5").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> ProxyUrl.parse("http://u:secret@:3128", "--proxy")).hasMessageStartingWith("--proxy")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> ProxyUrl.parse("http://proxy:3128/path", "--proxy")).hasMessageContaining("path");
        assertThatThrownBy(() -> ProxySettings.resolve(null, "10.0.0.0/33", Map.of())).hasMessageStartingWith("--no-proxy");
    }

    @Test
    void childProcessesGetTheEffectiveVariablesInBothCases() {
        ProxySettings proxies = ProxySettings.resolve("http://u:p@option:8080", "localhost,.corp", Map.of());
        Map<String, String> child = new HashMap<>(Map.of("PATH", "/bin", "HTTPS_PROXY", "http://stale:1", "no_proxy", "stale"));

        proxies.applyTo(child);

        assertThat(child).containsEntry("PATH", "/bin").containsEntry("https_proxy", "http://u:p@option:8080")
                .containsEntry("HTTPS_PROXY", "http://u:p@option:8080").containsEntry("http_proxy", "http://u:p@option:8080")
                .containsEntry("NO_PROXY", "localhost,.corp").containsEntry("no_proxy", "localhost,.corp");
        Map<String, String> none = new HashMap<>(Map.of("HTTP_PROXY", "http://stale:1"));
        ProxySettings.NONE.applyTo(none);
        assertThat(none).isEmpty();
    }
}
