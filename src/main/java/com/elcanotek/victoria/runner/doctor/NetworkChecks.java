package com.elcanotek.victoria.runner.doctor;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import com.elcanotek.victoria.runner.network.NetworkSettings;
import com.elcanotek.victoria.runner.network.ProxyUrl;

/**
 * The way to the orchestrator as the runner takes it: the proxy it uses (and whether the no-proxy list sends it past
 * it), the names it must resolve itself, the connection, the TLS handshake with the trust in use, the orchestrator's
 * answer, and the clock against the orchestrator's {@code Date}.
 */
final class NetworkChecks {

    static final String GROUP = "network";
    /** Past this, TLS validity, leases and the journal's times drift apart enough to say so. */
    static final Duration SKEW_WARNING = Duration.ofSeconds(30);
    /** A lease lasts 5 minutes: a clock this far off misjudges every one. */
    static final Duration SKEW_FAILURE = Duration.ofMinutes(5);

    private NetworkChecks() {
    }

    static Check proxy(URI url, NetworkSettings network) {
        Optional<ProxyUrl> proxy = network.proxy().forTarget(url);
        if (proxy.isPresent()) {
            return Check.ok(GROUP, "proxy", "calls to " + url.getHost() + " go through " + proxy.get() + " (from "
                    + network.proxy().source() + ")");
        }
        if (network.proxy().bypassed(url)) {
            return Check.ok(GROUP, "proxy", "calls to " + url.getHost() + " go direct: the no-proxy list '"
                    + network.proxy().noProxy().raw() + "' covers it");
        }
        return Check.ok(GROUP, "proxy", "calls to " + url.getHost() + " go direct: no proxy is set for " + url.getScheme()
                + " URLs");
    }

    /** The names the runner itself resolves: the proxy's, or else the orchestrator's. */
    static Check dns(URI url, Optional<ProxyUrl> proxy) {
        String host = proxy.map(ProxyUrl::host).orElse(url.getHost());
        String whose = proxy.isPresent() ? "the proxy " : "the orchestrator ";
        try {
            String addresses = Arrays.stream(InetAddress.getAllByName(host)).map(InetAddress::getHostAddress)
                    .collect(Collectors.joining(", "));
            return Check.ok(GROUP, "dns", whose + host + " resolves to " + addresses
                    + (proxy.isPresent() ? "; the orchestrator's name is the proxy's to resolve" : ""));
        } catch (UnknownHostException e) {
            return Check.fail(GROUP, "dns", whose + host + " does not resolve: " + e.getMessage(), proxy.isPresent()
                    ? "correct the proxy's host name, or the DNS of this host" : "correct the orchestrator URL, or the DNS "
                            + "of this host; a host that may only go out through a proxy needs --proxy or HTTPS_PROXY");
        }
    }

    /** The connection, the tunnel, the handshake and the answer of one probe, each a line while it got that far. */
    static List<Check> probe(URI url, NetworkSettings network, OrchestratorProbe.Outcome outcome, Instant now) {
        List<Check> checks = new ArrayList<>();
        Optional<ProxyUrl> proxy = network.proxy().forTarget(url);
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        switch (outcome.stage()) {
            case CONNECT -> {
                checks.add(Check.fail(GROUP, "connection", "cannot connect to " + outcome.detail(), proxy.isPresent()
                        ? "check that the proxy runs and this host may reach it" : "check the orchestrator URL, the "
                                + "firewall, or whether this host needs a proxy (--proxy, HTTPS_PROXY)"));
                return checks;
            }
            case PROXY -> {
                checks.add(Check.fail(GROUP, "connection", "the proxy " + proxy.map(ProxyUrl::address).orElse("?")
                        + " refused the tunnel to " + url.getHost() + ": " + outcome.detail(), outcome.status() == 407
                                ? "give the proxy's credentials: http://user:password@host:port in --proxy or HTTPS_PROXY"
                                : "ask the proxy's operators to let this host reach " + url.getHost()));
                return checks;
            }
            default -> checks.add(Check.ok(GROUP, "connection", "connected to " + (proxy.isPresent()
                    ? "the proxy " + proxy.get().address() + (https ? ", which tunnels to " + url.getHost() : "")
                    : url.getHost())));
        }
        if (https) {
            if (outcome.stage() == OrchestratorProbe.Stage.TLS) {
                checks.add(Check.fail(GROUP, "tls", "the handshake failed: " + outcome.detail()
                        + certificate(outcome.certificate(), now) + "; trusted: " + network.trust().describe(),
                        "if a proxy inspects TLS, or the orchestrator has a private CA, give the authority that issued this "
                                + "certificate with --ca-file"));
                return checks;
            }
            checks.add(Check.ok(GROUP, "tls", (outcome.tls() == null ? "handshake done" : outcome.tls())
                    + certificate(outcome.certificate(), now)));
        }
        if (outcome.stage() == OrchestratorProbe.Stage.ANSWER) {
            checks.add(Check.fail(GROUP, "orchestrator", "no answer: " + outcome.detail(),
                    "check the orchestrator URL and that the orchestrator runs"));
            return checks;
        }
        checks.add(answer(outcome, proxy));
        checks.add(clock(outcome.date(), now));
        return checks;
    }

    private static Check answer(OrchestratorProbe.Outcome outcome, Optional<ProxyUrl> proxy) {
        int status = outcome.status();
        if (status == 407) {
            return Check.fail(GROUP, "orchestrator", "the proxy " + proxy.map(ProxyUrl::address).orElse("") + " wants "
                    + "credentials: " + outcome.detail(), "http://user:password@host:port in --proxy or HTTP_PROXY");
        }
        if (status >= 300 && status < 400) {
            return Check.fail(GROUP, "orchestrator", "answered with a redirect: " + outcome.detail(),
                    "give the URL the orchestrator redirects to as --orchestrator-url");
        }
        if (status >= 500) {
            return Check.fail(GROUP, "orchestrator", "answered " + outcome.detail() + ": it fails, or a proxy on the way does",
                    "see the orchestrator's state, or the proxy's");
        }
        return Check.ok(GROUP, "orchestrator", "answered (" + outcome.detail() + ")");
    }

    static Check clock(Optional<Instant> date, Instant now) {
        if (date.isEmpty()) {
            return Check.warn(GROUP, "clock", "the answer had no Date header to compare this host's clock with",
                    "check the clock with timedatectl or chronyc tracking");
        }
        Duration skew = Duration.between(date.get(), now);
        String said = "this host's clock is " + Math.abs(skew.toSeconds()) + " s " + (skew.isNegative() ? "behind" : "ahead of")
                + " the orchestrator's";
        if (skew.abs().compareTo(SKEW_FAILURE) > 0) {
            return Check.fail(GROUP, "clock", said + ": leases (5 min) and certificates are misjudged",
                    "synchronise the clock: timedatectl set-ntp true");
        }
        if (skew.abs().compareTo(SKEW_WARNING) > 0) {
            return Check.warn(GROUP, "clock", said, "synchronise the clock: timedatectl set-ntp true");
        }
        return Check.ok(GROUP, "clock", said);
    }

    /** "; certificate CN=..., issued by CN=..., valid until ...": what the server showed. */
    private static String certificate(X509Certificate certificate, Instant now) {
        if (certificate == null) {
            return "";
        }
        Instant until = certificate.getNotAfter().toInstant();
        return "; certificate " + certificate.getSubjectX500Principal().getName() + ", issued by "
                + certificate.getIssuerX500Principal().getName() + ", valid until " + until
                + (until.isBefore(now) ? " (EXPIRED)" : "");
    }
}
