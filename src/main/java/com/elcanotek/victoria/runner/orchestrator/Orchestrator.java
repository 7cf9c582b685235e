package com.elcanotek.victoria.runner.orchestrator;

import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import com.elcanotek.victoria.runner.network.ProxyUrl;

import io.netty.handler.proxy.ProxyConnectException;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;

/**
 * The runner's one door to the orchestrator: the REST client plus the retry rules of
 * PROTOCOL.md. Transient failures (no answer, 5xx, 429) are retried with {@link Backoff}; 400,
 * 401, 403, 404 never are. Every call records the last time the orchestrator answered at all. A JSON answer must be
 * whole within the connect plus the read timeout ({@code /logs}: the logs timeout): the client's read timeout only
 * bounds a silence, and a server trickling its answer a byte at a time would otherwise hold a poll (and with it a
 * shutdown), a heartbeat or a task's report for as long as it likes.
 */
public class Orchestrator {

    private static final Logger LOG = Logger.getLogger(Orchestrator.class);

    private final OrchestratorApi api;
    private final OrchestratorApi logsApi;
    private final Duration answerDeadline;
    private final Duration logsDeadline;
    private final Guard registration;
    private final Guard reports;
    private final Clock clock;
    private final ObjectMapper json;
    private final AtomicReference<Instant> lastContact = new AtomicReference<>();
    /** On the monotonic clock: what a lease's end is compared with. */
    private final AtomicReference<Long> lastSuccessNanos = new AtomicReference<>();
    private final OutageLog outage;
    /** The proxy every call goes through; null when they go direct. */
    private final ProxyUrl proxy;
    private final SecretMasker masker;

    /** @param masker masks the message of every status report: it may carry what an agent printed */
    public Orchestrator(ClientSettings settings, Supplier<String> apiKey, ObjectMapper json, Clock clock,
            SecretMasker masker) {
        this.proxy = settings.network().proxy().forTarget(settings.url()).orElse(null);
        KeyStore trust = "https".equalsIgnoreCase(settings.url().getScheme()) ? settings.network().trust().keyStore() : null;
        this.api = client(settings, proxy, trust, settings.readTimeout(), apiKey, json);
        this.logsApi = client(settings, proxy, trust, settings.logsTimeout(), apiKey, json);
        this.answerDeadline = settings.connectTimeout().plus(settings.readTimeout());
        this.logsDeadline = settings.connectTimeout().plus(settings.logsTimeout());
        this.clock = clock;
        this.json = json;
        this.outage = new OutageLog(clock);
        this.masker = masker;
        // Registration waits as long as it takes: 409 (our name still has a task), 429, 400 and
        // outages pass; only a wrong token (401) or disabled registration (503) end it.
        this.registration = retrying("register", settings.retry(), -1,
                e -> e.isTransient() && e.status() != 503 || e.isConflict() || e.status() == 400);
        this.reports = retrying("report", settings.retry(), 5, OrchestratorException::isTransient);
    }

    /**
     * One client per read timeout; every file download goes through the same one as the JSON calls, so one proxy
     * decision and one trust store serve them all.
     */
    private static OrchestratorApi client(ClientSettings settings, ProxyUrl proxy, KeyStore trust, Duration readTimeout,
            Supplier<String> apiKey, ObjectMapper json) {
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(settings.url())
                .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .followRedirects(false)
                .userAgent(settings.userAgent())
                .register(new ErrorResponseMapper(json, proxy))
                .register(new ApiKeyFilter(apiKey));
        if (trust != null) {
            builder.trustStore(trust);
        }
        if (proxy != null) {
            builder.proxyAddress(proxy.host(), proxy.port());
            if (proxy.hasCredentials()) {
                builder.proxyUser(proxy.user()).proxyPassword(proxy.password() == null ? "" : proxy.password());
            }
        }
        return builder.build(OrchestratorApi.class);
    }

    /** The proxy the calls go through, for the log at start; empty when they go direct. */
    public Optional<ProxyUrl> proxy() {
        return Optional.ofNullable(proxy);
    }

    private Guard retrying(String name, Backoff.Policy policy, int maxRetries,
            Predicate<OrchestratorException> retryable) {
        return Guard.create()
                .withDescription(name)
                .withRetry()
                .maxRetries(maxRetries)
                .maxDuration(0, ChronoUnit.MILLIS)
                .jitter(0, ChronoUnit.MILLIS)
                .whenException(e -> e instanceof OrchestratorException failure && retryable.test(failure))
                .beforeRetry((Throwable e) -> LOG.logf(e instanceof OrchestratorException failure ? levelOf(failure)
                        : Logger.Level.WARN, "%s; retrying", e.getMessage()))
                .withCustomBackoff().strategy(() -> new Backoff(policy)).done()
                .done()
                .build();
    }

    public NodeRegistration register(String registrationToken, RegisterRequest request) {
        return registering(() -> registerOnce(registrationToken, request), NodeRegistration.class);
    }

    /**
     * {@link #register}'s patience around {@code attempt}, which makes one {@link #registerOnce} and what the caller
     * makes of its answer: a refusal the caller settles itself (a 409 its stored key answers) need not be waited out.
     * Anything but an {@link OrchestratorException} the attempt throws ends the wait as it is.
     */
    public <T> T registering(Callable<T> attempt, Class<T> type) {
        try {
            return registration.call(attempt, type);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw OrchestratorException.unreachable("POST /register", e);
        }
    }

    /**
     * One try, for a registration renewed by a caller with a schedule of its own (a poll, a beat, a task's
     * delivery): a node with a current task is refused (409) until that task ends, and waiting for it here
     * would stop the caller's other work.
     */
    public NodeRegistration registerOnce(String registrationToken, RegisterRequest request) {
        return call("POST /register", () -> whole(api.register(registrationToken, request)));
    }

    /** One try: the heartbeat has its own schedule, and the next beat is the retry. */
    public void heartbeat(HeartbeatRequest request) {
        call("POST /nodes/heartbeat", () -> whole(api.heartbeat(request)));
    }

    /**
     * Claims the next task, if any. Never retried: a retry after a lost answer would claim yet
     * another task, and the next poll comes soon anyway.
     *
     * @throws InvalidAssignment when a task was claimed that cannot be run (a field missing or of the wrong type, or
     *         an answer that is no JSON but names a task_id)
     */
    public Optional<TaskAssignment> claimNextTask() {
        try (Response answer = call("GET /tasks/pending", () -> whole(api.pendingTask()))) {
            return AssignmentReader.read(json, answer);
        }
    }

    /**
     * Opens a task file from byte {@code from} on (a Range request; 0: the whole file); the caller streams and
     * closes the response, which is 206 when the server honoured the range.
     */
    public Response file(String name, long from) {
        String segment = pathSegment(name);
        return call("GET /files/" + segment, () -> api.file(segment, from > 0 ? "bytes=" + from + "-" : null));
    }

    /**
     * Percent-encodes all but RFC 3986's unreserved characters, so that a name is one path segment whatever it holds:
     * {@code reports/q3.pdf} is {@code reports%2Fq3.pdf}, never a path the server would resolve.
     */
    static String pathSegment(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }

    public void status(StatusUpdate update) {
        StatusUpdate masked = masked(update);
        guarded(reports, "POST /status", () -> whole(api.status(masked)), Void.class);
    }

    /** One try, for reports sent on a schedule of their own (lease renewals): the next period is the retry. */
    public void statusOnce(StatusUpdate update) {
        StatusUpdate masked = masked(update);
        call("POST /status", () -> whole(api.status(masked)));
    }

    private StatusUpdate masked(StatusUpdate update) {
        return new StatusUpdate(update.taskId(), update.status(), masker.mask(update.message()), update.timestamp());
    }

    public void logs(LogSubmission submission) {
        guarded(reports, "POST /logs", () -> whole(logsApi.logs(submission), logsDeadline), Void.class);
    }

    /** When the orchestrator last answered anything, error statuses included; empty before that. */
    public Optional<Instant> lastContact() {
        return Optional.ofNullable(lastContact.get());
    }

    /**
     * How to log {@code failure}, a call's: WARN, or DEBUG for one more call that failed in an outage already logged
     * (once when it began, once when it ended).
     */
    public Logger.Level levelOf(OrchestratorException failure) {
        return outage.levelOf(failure);
    }

    /**
     * When the orchestrator last took a call (a 2xx answer), on the monotonic clock ({@link System#nanoTime()}): a
     * proxy's error page in an outage is no such answer.
     */
    public Optional<Long> lastSuccessNanos() {
        return Optional.ofNullable(lastSuccessNanos.get());
    }

    /** The longest one call waits for its whole answer ({@code /logs}'s is the longest). */
    public Duration longestCall() {
        return logsDeadline.compareTo(answerDeadline) > 0 ? logsDeadline : answerDeadline;
    }

    private <T> T whole(Uni<T> answer) {
        return whole(answer, answerDeadline);
    }

    /** Waits for the whole answer until {@code deadline}; past it the request is cancelled, which resets it. */
    private static <T> T whole(Uni<T> answer, Duration deadline) {
        return answer.ifNoItem().after(deadline)
                .failWith(() -> new TimeoutException("no whole answer within " + deadline.toSeconds() + " s"))
                .await().indefinitely();
    }

    private <T> T guarded(Guard guard, String endpoint, Callable<T> call, Class<T> type) {
        try {
            return guard.call(() -> call(endpoint, call), type);
        } catch (OrchestratorException e) {
            throw e;
        } catch (Exception e) {
            throw OrchestratorException.unreachable(endpoint, e);
        }
    }

    private <T> T call(String endpoint, Callable<T> call) {
        try {
            T answer = call.call();
            lastContact.set(clock.instant());
            lastSuccessNanos.set(System.nanoTime());
            outage.answered();
            return answer;
        } catch (Exception e) {
            OrchestratorException failure = translate(endpoint, e);
            outage.failed(failure);
            if (failure.status() != OrchestratorException.NO_ANSWER) {
                lastContact.set(clock.instant());
            }
            throw failure;
        }
    }

    private OrchestratorException translate(String endpoint, Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OrchestratorException failure) {
                return failure.at(endpoint);
            }
            if (t instanceof JsonProcessingException) {
                return OrchestratorException.malformed(endpoint, t);
            }
            if (proxy != null && t instanceof ProxyConnectException refused) {
                // The proxy's answer to CONNECT (403, 407) or its silence: the orchestrator was never asked.
                return OrchestratorException.proxyFailed(endpoint, proxy, refused);
            }
        }
        return proxy == null ? OrchestratorException.unreachable(endpoint, thrown)
                : OrchestratorException.unreachableThrough(endpoint, proxy, thrown);
    }
}
