package com.elcanotek.victoria.runner.network;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP proxy as {@code http://[user[:password]@]host[:port]} names it. The credentials stay inside: {@link #toString}
 * and {@link #address} show the host and port only, so that a proxy can be named in a log line or an error without
 * its password.
 *
 * @param raw the text it was read from, credentials included: what child processes and containers are given
 */
public record ProxyUrl(String host, int port, String user, String password, String raw) {

    /**
     * @param source what the text came from, for the error: {@code --proxy} or the variable's name
     * @throws IllegalArgumentException naming {@code source} (never the text: it may hold a password)
     */
    public static ProxyUrl parse(String text, String source) {
        String value = text.strip();
        String withScheme = value.contains("://") ? value : "http://" + value;
        URI uri;
        try {
            uri = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(source + " is not a proxy URL such as http://proxy.example:3128");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException(source + " is a " + scheme + ":// proxy; only http:// proxies are supported"
                    + " (HTTPS to the orchestrator is tunnelled through them with CONNECT)");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException(source + " names no proxy host; expected http://proxy.example:3128");
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/") || uri.getRawQuery() != null) {
            throw new IllegalArgumentException(source + " has a path or query; a proxy URL is http://host:port");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ProxyUrl(host, uri.getPort() < 0 ? 80 : uri.getPort(), user, password, value);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public boolean hasCredentials() {
        return user != null;
    }

    /** {@code http://host:port}: how the proxy is named in logs and errors, never with its credentials. */
    public String address() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return address() + (hasCredentials() ? " (with credentials)" : "");
    }
}
