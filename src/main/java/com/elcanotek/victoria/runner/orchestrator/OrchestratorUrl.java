package com.elcanotek.victoria.runner.orchestrator;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * Orchestrator URLs compared by what they address, in one normalisation: the case of the scheme and of the host, a
 * default port written out and trailing slashes never make another orchestrator. Whatever compares orchestrator URLs
 * (the stored identity's, a task's {@code orchestrator_url}) compares them here.
 */
public final class OrchestratorUrl {

    private OrchestratorUrl() {
    }

    /**
     * {@code url} in its one spelling: scheme and host in lower case, no default port, no trailing slash, no fragment;
     * text that is no absolute URL stays as it is (stripped).
     */
    public static String normalized(String url) {
        String text = url.strip();
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return text;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
            return scheme + "://" + (uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@")
                    + uri.getHost().toLowerCase(Locale.ROOT) + (port(uri) == defaultPort(scheme) ? "" : ":" + port(uri))
                    + path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        } catch (URISyntaxException e) {
            return text;
        }
    }

    /** Whether both name the same orchestrator; null names none. */
    public static boolean same(String a, String b) {
        return a != null && b != null && normalized(a).equals(normalized(b));
    }

    /** Whether both have the same scheme, host and port (the default one when none is written). */
    public static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getHost() != null && b.getScheme() != null && b.getHost() != null
                && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : defaultPort(Objects.requireNonNull(uri.getScheme()).toLowerCase(Locale.ROOT));
    }

    private static int defaultPort(String scheme) {
        return "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
    }
}
