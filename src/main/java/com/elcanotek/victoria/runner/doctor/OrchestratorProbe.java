package com.elcanotek.victoria.runner.doctor;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import com.elcanotek.victoria.runner.network.ProxyUrl;
import com.elcanotek.victoria.runner.network.ProxySettings;
import com.elcanotek.victoria.runner.network.Trust;

/**
 * One request to the orchestrator the way the runner makes its own (through the same proxy, trusting the same
 * authorities), taken apart step by step so that a failure can be told where it happened: the connection, the proxy's
 * tunnel, the TLS handshake (with the certificate the server showed), or the answer (its status and {@code Date}).
 * Hand-made on a socket, as the REST client hides each of those steps.
 */
final class OrchestratorProbe {

    /** Where the request got to. */
    enum Stage { CONNECT, PROXY, TLS, ANSWER, ANSWERED }

    /**
     * @param stage where it stopped; {@link Stage#ANSWERED} when the orchestrator answered
     * @param detail what went wrong there, e.g. "407 Proxy Authentication Required"; the status line once answered
     * @param certificate the server's certificate (through a TLS-inspecting proxy: the proxy's), when there was a handshake
     * @param tls the protocol and cipher agreed, when the handshake passed
     * @param body the start of the answer's body (its first {@value #BODY_LIMIT} bytes), e.g. the orchestrator's detail
     */
    record Outcome(Stage stage, String detail, int status, Optional<Instant> date, X509Certificate certificate, String tls,
            String body) {

        Outcome(Stage stage, String detail, int status, Optional<Instant> date, X509Certificate certificate, String tls) {
            this(stage, detail, status, date, certificate, tls, "");
        }
    }

    static final int BODY_LIMIT = 4096;

    private final Duration timeout;

    OrchestratorProbe(Duration timeout) {
        this.timeout = timeout;
    }

    /** {@code GET path} with {@code headers}; never throws for what the network does. */
    Outcome get(URI base, String path, Map<String, String> headers, Optional<ProxyUrl> proxy, Trust trust) {
        boolean https = "https".equalsIgnoreCase(base.getScheme());
        String host = base.getHost();
        int port = ProxySettings.port(base);
        String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        RecordingTrust recording = null;
        try (Socket plain = new Socket()) {
            int millis = (int) timeout.toMillis();
            try {
                plain.connect(proxy.map(p -> new InetSocketAddress(p.host(), p.port())).orElseGet(
                        () -> new InetSocketAddress(host, port)), millis);
                plain.setSoTimeout(millis);
            } catch (IOException e) {
                return new Outcome(Stage.CONNECT, (proxy.isPresent() ? "the proxy " + proxy.get().address() : authority)
                        + ": " + describe(e), 0, Optional.empty(), null, null);
            }
            Socket socket = plain;
            if (https && proxy.isPresent()) {
                String request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n"
                        + proxyAuthorization(proxy.get()) + "\r\n";
                plain.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                Head head = Head.read(plain.getInputStream());
                if (head.status() / 100 != 2) {
                    return new Outcome(Stage.PROXY, head.statusLine(), head.status(), Optional.empty(), null, null);
                }
            }
            if (https) {
                recording = new RecordingTrust(trust);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] { recording }, null);
                SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                if (!host.contains(":") && !host.matches("[0-9.]+")) {
                    parameters.setServerNames(List.of(new SNIHostName(host)));
                }
                tls.setSSLParameters(parameters);
                try {
                    tls.startHandshake();
                } catch (SSLException e) {
                    return new Outcome(Stage.TLS, describe(e), 0, Optional.empty(), recording.leaf(), null);
                }
                socket = tls;
            }
            String target = !https && proxy.isPresent() ? base.resolve(path).toString() : path;
            StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: ")
                    .append(port == (https ? 443 : 80) ? host : authority).append("\r\nConnection: close\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            if (!https && proxy.isPresent()) {
                request.append(proxyAuthorization(proxy.get()));
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Head head = Head.read(in);
            String body = head.body(in);
            String tlsDone = socket instanceof SSLSocket secured ? secured.getSession().getProtocol() + ", "
                    + secured.getSession().getCipherSuite() : null;
            return new Outcome(Stage.ANSWERED, head.statusLine(), head.status(), head.date(),
                    recording == null ? null : recording.leaf(), tlsDone, body);
        } catch (IOException e) {
            return new Outcome(Stage.ANSWER, describe(e), 0, Optional.empty(), recording == null ? null : recording.leaf(), null);
        } catch (GeneralSecurityException e) {
            return new Outcome(Stage.TLS, describe(e), 0, Optional.empty(), null, null);
        }
    }

    private static String proxyAuthorization(ProxyUrl proxy) {
        if (!proxy.hasCredentials()) {
            return "";
        }
        String pair = proxy.user() + ":" + (proxy.password() == null ? "" : proxy.password());
        return "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    /** The innermost cause's words: "Connection refused", "PKIX path building failed: ...". */
    static String describe(Throwable thrown) {
        Throwable root = thrown;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == thrown || thrown.getMessage() == null ? message : message + " (" + thrown.getClass().getSimpleName() + ")";
    }

    /** A status line and the headers after it. */
    private record Head(String statusLine, int status, Map<String, String> headers) {

        /** Reads no further than the blank line: what follows (a tunnel's TLS, a body) is the caller's. */
        static Head read(InputStream in) throws IOException {
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            int status;
            try {
                status = parts.length >= 2 && parts[0].startsWith("HTTP/") ? Integer.parseInt(parts[1]) : -1;
            } catch (NumberFormatException e) {
                status = -1;
            }
            if (status < 0) {
                throw new IOException("not an HTTP answer: " + statusLine);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
                }
            }
            return new Head(statusLine.strip(), status, headers);
        }

        /** The body's start: its Content-Length, else what comes before the end or a silence, at most BODY_LIMIT. */
        String body(InputStream in) {
            int length = BODY_LIMIT;
            try {
                length = Math.min(BODY_LIMIT, Integer.parseInt(headers.getOrDefault("content-length", "" + BODY_LIMIT).strip()));
            } catch (NumberFormatException unknown) {
                // read up to the limit
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            try {
                byte[] chunk = new byte[length];
                for (int n = in.read(chunk, 0, length); n > 0 && body.size() < length; n = in.read(chunk, 0, length - body.size())) {
                    body.write(chunk, 0, n);
                }
            } catch (IOException silence) {
                // a server that keeps the connection open: what came is what there is
            }
            return body.toString(StandardCharsets.UTF_8);
        }

        Optional<Instant> date() {
            String value = headers.get("date");
            try {
                return value == null ? Optional.empty()
                        : Optional.of(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    if (line.size() == 0) {
                        throw new IOException("the connection closed without an answer");
                    }
                    break;
                }
                if (line.size() > 8192) {
                    throw new IOException("an answer line longer than 8 KiB");
                }
                line.write(b);
            }
            return line.toString(StandardCharsets.ISO_8859_1).replaceAll("\r$", "");
        }
    }

    /** The trust in use, keeping the chain the server showed so that a refused one can be described. */
    private static final class RecordingTrust implements X509TrustManager {

        private final X509TrustManager delegate;
        private volatile X509Certificate[] chain;

        RecordingTrust(Trust trust) throws GeneralSecurityException {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust.keyStore());
            X509TrustManager found = null;
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    found = x509;
                }
            }
            if (found == null) {
                throw new GeneralSecurityException("no X.509 trust manager");
            }
            this.delegate = found;
        }

        X509Certificate leaf() {
            X509Certificate[] shown = chain;
            return shown == null || shown.length == 0 ? null : shown[0];
        }

        @Override
        public void checkServerTrusted(X509Certificate[] presented, String authType) throws CertificateException {
            chain = presented;
            delegate.checkServerTrusted(presented, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] presented, String authType) throws CertificateException {
            delegate.checkClientTrusted(presented, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
