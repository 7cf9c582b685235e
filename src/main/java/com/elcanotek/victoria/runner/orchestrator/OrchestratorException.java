package com.elcanotek.victoria.runner.orchestrator;

import java.time.Duration;
import java.util.Optional;

import com.elcanotek.victoria.runner.network.ProxyUrl;

/**
 * A call to the orchestrator that did not succeed: either an answer with an error status (and the
 * server's {@code detail}), or no usable answer at all (status 0). The message names the endpoint
 * and the server's words, never a credential.
 */
public class OrchestratorException extends RuntimeException {

    public static final int NO_ANSWER = 0;

    private final String endpoint;
    private final int status;
    private final String detail;
    private final Duration retryAfter;
    private final boolean orchestratorsOwn;

    public OrchestratorException(String endpoint, int status, String detail, Duration retryAfter, Throwable cause) {
        this(endpoint, status, detail, retryAfter, false, cause);
    }

    /** @param orchestratorsOwn the answer is the orchestrator's own error ({@code {"detail": ...}}), not a proxy's */
    public OrchestratorException(String endpoint, int status, String detail, Duration retryAfter, boolean orchestratorsOwn,
            Throwable cause) {
        super(describe(endpoint, status, detail, orchestratorsOwn), cause);
        this.endpoint = endpoint;
        this.status = status;
        this.detail = detail;
        this.retryAfter = retryAfter;
        this.orchestratorsOwn = orchestratorsOwn;
    }

    public static OrchestratorException unreachable(String endpoint, Throwable cause) {
        return new OrchestratorException(endpoint, NO_ANSWER, "orchestrator unreachable: " + rootMessage(cause), null, cause);
    }

    /** No answer through {@code proxy}: named, so that an operator looks at the proxy, not at the orchestrator. */
    public static OrchestratorException unreachableThrough(String endpoint, ProxyUrl proxy, Throwable cause) {
        return new OrchestratorException(endpoint, NO_ANSWER, "orchestrator unreachable through the proxy "
                + proxy.address() + ": " + rootMessage(cause), null, cause);
    }

    /**
     * The proxy itself refused the call (403, 407 to the tunnel or to the request) or failed it: the orchestrator was
     * never asked, so this is no answer of its, and is tried again like an outage.
     *
     * @param why the proxy's status line, e.g. "407 Proxy Authentication Required", or its silence
     */
    public static OrchestratorException proxyRefused(String endpoint, ProxyUrl proxy, String why) {
        String hint = why.startsWith("407") ? (proxy.hasCredentials() ? ": it does not take the credentials given"
                : ": it wants credentials (http://user:password@host:port in --proxy or HTTPS_PROXY)")
                : why.startsWith("403") ? ": it does not let this host reach the orchestrator (its access rules)" : "";
        return new OrchestratorException(endpoint, NO_ANSWER, "the proxy " + proxy.address() + " refused the request ("
                + why + ")" + hint, null, null);
    }

    static OrchestratorException proxyFailed(String endpoint, ProxyUrl proxy, Throwable refusal) {
        String message = String.valueOf(refusal.getMessage());
        int status = message.indexOf("status: ");
        return proxyRefused(endpoint, proxy, status >= 0 ? message.substring(status + "status: ".length()).strip() : message);
    }

    public static OrchestratorException malformed(String endpoint, Throwable cause) {
        return new OrchestratorException(endpoint, 200, "malformed answer: " + rootMessage(cause), null, cause);
    }

    /** The same failure, named for the endpoint that was called. */
    public OrchestratorException at(String calledEndpoint) {
        return new OrchestratorException(calledEndpoint, status, detail, retryAfter, orchestratorsOwn, getCause());
    }

    public String endpoint() {
        return endpoint;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** What the failure means for the caller. */
    public Refusal refusal() {
        return Refusal.of(this);
    }

    /**
     * Whether the error answer is the orchestrator's own ({@code {"detail": ...}}): a proxy, load balancer or web
     * application firewall in between answers with a page of its own, and its 403 cancels nothing.
     */
    public boolean isOrchestratorsOwn() {
        return orchestratorsOwn;
    }

    /** Worth trying again at once, within one call: no answer, a server error, or rate limiting. */
    public boolean isTransient() {
        return status == NO_ANSWER || status == 429 || status >= 500;
    }

    public boolean isMalformedAnswer() {
        return status == 200;
    }

    public boolean isUnauthorized() {
        return status == 401;
    }



    public boolean isConflict() {
        return status == 409;
    }


    private static String describe(String endpoint, int status, String detail, boolean orchestratorsOwn) {
        String where = endpoint == null ? "orchestrator" : endpoint;
        if (status == NO_ANSWER || status == 200) {
            return where + ": " + detail;
        }
        // A 403 that is not the orchestrator's cancels nothing: said, as the fix is in between (a proxy, a firewall).
        return where + " answered " + status + ": " + detail
                + (status == 403 && !orchestratorsOwn ? " (not the orchestrator's own answer: a proxy or firewall in between?)" : "");
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " (" + message + ")");
    }
}
