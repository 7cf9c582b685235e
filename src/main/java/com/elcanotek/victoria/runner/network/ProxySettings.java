package com.elcanotek.victoria.runner.network;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which proxy the runner's HTTP calls take, from {@code --proxy} and {@code --no-proxy} or else the environment as
 * curl reads it: {@code https_proxy} then {@code HTTPS_PROXY} for https URLs, {@code http_proxy} then
 * {@code HTTP_PROXY} for http URLs, {@code no_proxy} then {@code NO_PROXY} for the hosts that go direct (the lower
 * case name first). The runner calls one origin, so the choice is made once per URL ({@link #forTarget}).
 *
 * @param https the proxy of https URLs; null for none
 * @param http the proxy of http URLs; null for none
 * @param source where the proxies came from, e.g. {@code --proxy} or {@code HTTPS_PROXY}, for the doctor and errors
 */
public record ProxySettings(ProxyUrl https, ProxyUrl http, NoProxy noProxy, String source) {

    public static final ProxySettings NONE = new ProxySettings(null, null, NoProxy.NONE, "no proxy set");

    /** The names child processes and containers get, lower and upper case, as tools differ in which they read. */
    static final List<String> VARIABLES = List.of("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "no_proxy",
            "NO_PROXY");

    /**
     * @param proxyOption {@code --proxy} (for http and https URLs alike), or null to read the environment
     * @param noProxyOption {@code --no-proxy}, or null to read the environment
     * @throws IllegalArgumentException naming the option or variable whose value is not a proxy URL or list
     */
    public static ProxySettings resolve(String proxyOption, String noProxyOption, Map<String, String> environment) {
        ProxyUrl https;
        ProxyUrl http;
        String source;
        if (proxyOption != null && !proxyOption.isBlank()) {
            https = ProxyUrl.parse(proxyOption, "--proxy");
            http = https;
            source = "--proxy";
        } else {
            Optional<Map.Entry<String, String>> httpsVariable = variable(environment, "https_proxy");
            Optional<Map.Entry<String, String>> httpVariable = variable(environment, "http_proxy");
            https = httpsVariable.map(v -> ProxyUrl.parse(v.getValue(), v.getKey())).orElse(null);
            http = httpVariable.map(v -> ProxyUrl.parse(v.getValue(), v.getKey())).orElse(null);
            source = httpsVariable.or(() -> httpVariable).map(Map.Entry::getKey).orElse("no proxy set");
        }
        NoProxy noProxy = noProxyOption != null ? NoProxy.parse(noProxyOption, "--no-proxy")
                : variable(environment, "no_proxy").map(v -> NoProxy.parse(v.getValue(), v.getKey())).orElse(NoProxy.NONE);
        return new ProxySettings(https, http, noProxy, source);
    }

    /** The variable's lower-case name if set, else its upper-case name: {@code NAME=value}. */
    private static Optional<Map.Entry<String, String>> variable(Map<String, String> environment, String lowerCase) {
        for (String name : List.of(lowerCase, lowerCase.toUpperCase(Locale.ROOT))) {
            String value = environment.get(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(Map.entry(name, value));
            }
        }
        return Optional.empty();
    }

    /** The proxy a request to {@code target} goes through; empty when it goes direct. */
    public Optional<ProxyUrl> forTarget(URI target) {
        ProxyUrl proxy = "https".equalsIgnoreCase(target.getScheme()) ? https : http;
        if (proxy == null || noProxy.covers(target.getHost(), port(target))) {
            return Optional.empty();
        }
        return Optional.of(proxy);
    }

    /** Whether {@code target} would take a proxy but {@link #noProxy} sends it direct. */
    public boolean bypassed(URI target) {
        ProxyUrl proxy = "https".equalsIgnoreCase(target.getScheme()) ? https : http;
        return proxy != null && noProxy.covers(target.getHost(), port(target));
    }

    public static int port(URI target) {
        return target.getPort() >= 0 ? target.getPort() : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
    }

    /**
     * The variables that give engine CLIs (their pulls) and task containers (the agent's own calls) the same proxies,
     * in both cases of each name; nothing for what is not set. They hold credentials: pass them in an environment or a
     * 0600 file, never in an argv.
     */
    public Map<String, String> environment() {
        Map<String, String> variables = new LinkedHashMap<>();
        if (https != null) {
            variables.put("https_proxy", https.raw());
            variables.put("HTTPS_PROXY", https.raw());
        }
        if (http != null) {
            variables.put("http_proxy", http.raw());
            variables.put("HTTP_PROXY", http.raw());
        }
        if (!noProxy.raw().isEmpty()) {
            variables.put("no_proxy", noProxy.raw());
            variables.put("NO_PROXY", noProxy.raw());
        }
        return variables;
    }

    /** {@code environment} without any proxy variable and with {@link #environment()}: what a child process gets. */
    public void applyTo(Map<String, String> environment) {
        environment.keySet().removeAll(VARIABLES);
        environment.putAll(environment());
    }

    @Override
    public String toString() {
        return "ProxySettings[https=" + https + ", http=" + http + ", noProxy=" + noProxy.raw() + ", source=" + source + "]";
    }
}
