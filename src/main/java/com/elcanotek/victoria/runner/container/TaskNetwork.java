package com.elcanotek.victoria.runner.container;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What task containers get of the runner's network settings, so that the agent's own HTTPS calls (LLM APIs) cross the
 * same proxy and trust the same authorities: the proxy variables (podman passes its own environment's by default,
 * docker none: both get them from a 0600 env file, as they may hold credentials), and, when asked for, the runner's
 * authorities as one read-only bundle named by the variables OpenSSL, Python requests and Node read.
 *
 * @param proxyVariables {@code https_proxy}, {@code HTTPS_PROXY}, ... as the runner uses them
 * @param caBundle the bundle on the host; null for none
 */
public record TaskNetwork(Map<String, String> proxyVariables, Path caBundle) {

    /** Where the bundle is mounted in each container. */
    public static final String CA_BUNDLE_IN_CONTAINER = "/etc/victoria-runner/ca-bundle.pem";

    public static final TaskNetwork NONE = new TaskNetwork(Map.of(), null);

    public TaskNetwork {
        proxyVariables = Map.copyOf(proxyVariables);
    }

    /** Every variable a container gets: the proxies, and the bundle's path under each name tools look for. */
    public Map<String, String> environment() {
        Map<String, String> variables = new LinkedHashMap<>(proxyVariables);
        if (caBundle != null) {
            variables.put("SSL_CERT_FILE", CA_BUNDLE_IN_CONTAINER);
            variables.put("REQUESTS_CA_BUNDLE", CA_BUNDLE_IN_CONTAINER);
            variables.put("NODE_EXTRA_CA_CERTS", CA_BUNDLE_IN_CONTAINER);
        }
        return variables;
    }
}
