package com.elcanotek.victoria.runner.node;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.orchestrator.HeartbeatRequest;
import com.elcanotek.victoria.runner.orchestrator.NodeRegistration;
import com.elcanotek.victoria.runner.orchestrator.NodeStatus;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;

/**
 * The node's identity with the orchestrator. Registers once and reuses the stored key across restarts (for the same
 * name and orchestrator, however its URL is spelled); registers again only when the key is refused (401) or the node
 * is gone (404), and then not again and again: each registration rotates the key that the containers of running
 * tasks hold.
 */
public class Registration {

    /** How long a registration made because a key was refused holds back the next one, at first. */
    static final Duration FIRST_HOLD = Duration.ofMinutes(1);
    /** The longest hold: doubled from {@link #FIRST_HOLD} while each new key is refused in turn. */
    static final Duration LONGEST_HOLD = Duration.ofMinutes(16);

    private static final Logger LOG = Logger.getLogger(Registration.class);

    private final Orchestrator orchestrator;
    private final CredentialsStore store;
    private final NodeIdentity identity;
    private final Supplier<String> registrationToken;
    private final String orchestratorUrl;
    private final Clock clock;
    private final NodeCredentials current;
    // guarded by this
    private Instant lastRenewal;
    private Duration hold = FIRST_HOLD;

    public Registration(Orchestrator orchestrator, CredentialsStore store, NodeIdentity identity,
            Supplier<String> registrationToken, String orchestratorUrl, NodeCredentials current, Clock clock) {
        this.orchestrator = orchestrator;
        this.store = store;
        this.identity = identity;
        this.registrationToken = registrationToken;
        this.orchestratorUrl = orchestratorUrl;
        this.current = current;
        this.clock = clock;
    }

    /**
     * The stored identity if it belongs to this name and orchestrator, else a new registration, waiting as long as it
     * takes. A name that holds a task is refused (409) until a heartbeat clears it: then the key stored for the name
     * (of an orchestrator URL spelled otherwise, say) is tried with a heartbeat first, and kept when it is taken.
     */
    public Credentials ensure() {
        Optional<Credentials> stored = store.load().filter(c -> identity.name().equals(c.name()));
        if (stored.isPresent() && stored.get().isFor(identity.name(), orchestratorUrl)) {
            LOG.infof("Using stored node identity %s (%s)", stored.get().nodeId(), stored.get().name());
            current.set(stored.get());
            return stored.get();
        }
        LOG.infof("Registering node '%s' with %s (%s)", identity.name(), orchestratorUrl, stored.isPresent()
                ? "the stored identity is for " + stored.get().orchestratorUrl() : "no stored identity for this name");
        AtomicReference<Optional<Credentials>> untried = new AtomicReference<>(stored);
        return orchestrator.registering(() -> {
            try {
                return registered(orchestrator.registerOnce(registrationToken.get(), identity.registerRequest()));
            } catch (OrchestratorException e) {
                if (e.isConflict() && untried.get().isPresent()) {
                    Optional<Credentials> kept = keptIfTaken(untried.get().get(), e, untried);
                    if (kept.isPresent()) {
                        return kept.get();
                    }
                }
                throw refusedForGood(e);
            }
        }, Credentials.class);
    }

    /**
     * Registers again, in one try, because the orchestrator refused {@code refused}, the identity a request was
     * sent with; when another caller has renewed it meanwhile (several tasks refused at once), that renewal is the
     * answer. A registration made this way holds back the next one for {@link #FIRST_HOLD}, doubled up to
     * {@link #LONGEST_HOLD} while each new key is refused soon after it came: every registration rotates the key.
     *
     * @throws OrchestratorException when the registration did not go through, or is held back: the caller's next try
     *                               is the retry
     */
    public synchronized Credentials renewUnlessRenewed(Optional<Credentials> refused, String reason) {
        Optional<Credentials> now = current.current();
        if (now.isPresent() && !now.equals(refused)) {
            return now.get();
        }
        Instant at = clock.instant();
        if (lastRenewal != null) {
            Duration since = Duration.between(lastRenewal, at);
            if (since.compareTo(hold) < 0) {
                throw new OrchestratorException(null, 401, "the node key is refused (" + reason + "), and registering again"
                        + " waits " + hold.minus(since).toSeconds() + " s more: the last registration, " + since.toSeconds()
                        + " s ago, gave a key that was refused too, and each one rotates the key running tasks hold",
                        null, null);
            }
            // A key that lasted well past the hold was not refused in a burst: the next burst starts short again.
            hold = since.compareTo(hold.multipliedBy(2)) > 0 ? FIRST_HOLD
                    : hold.multipliedBy(2).compareTo(LONGEST_HOLD) > 0 ? LONGEST_HOLD : hold.multipliedBy(2);
        }
        lastRenewal = at;
        LOG.infof("Registering node '%s' with %s (%s)", identity.name(), orchestratorUrl, reason);
        try {
            return registered(orchestrator.registerOnce(registrationToken.get(), identity.registerRequest()));
        } catch (OrchestratorException e) {
            throw refusedForGood(e);
        }
    }

    /**
     * {@link #renewUnlessRenewed} for a task's own calls (a lease renewal, a delivery), which try again on their own
     * schedule: a failure is logged, never thrown. A refused registration is left for the poll and the heartbeat to
     * end the daemon with.
     *
     * @return whether the runner is registered anew
     */
    public boolean renewQuietly(Optional<Credentials> refused, OrchestratorException refusal) {
        try {
            renewUnlessRenewed(refused, refusal.getMessage());
            return true;
        } catch (OrchestratorException | RegistrationRefused failure) {
            LOG.warnf("registering again failed: %s", failure.getMessage());
            return false;
        }
    }

    public Optional<Credentials> current() {
        return current.current();
    }

    /**
     * A heartbeat with the stored key: taken, it proves the identity is this orchestrator's, and it clears the current
     * task that made registering fail (the reconcile and the first real beat then say what runs). Refused, the key is
     * not tried again; unanswered, it is tried at the next 409.
     */
    private Optional<Credentials> keptIfTaken(Credentials stored, OrchestratorException conflict,
            AtomicReference<Optional<Credentials>> untried) {
        LOG.infof("%s; trying the key stored for node '%s' (%s)", conflict.getMessage(), stored.name(), stored.nodeId());
        current.set(stored);
        try {
            orchestrator.heartbeat(new HeartbeatRequest(stored.nodeId(), NodeStatus.IDLE, null));
        } catch (OrchestratorException refused) {
            current.clear();
            if (!refused.isTransient()) {
                LOG.infof("The stored key is refused too (%s); waiting until the name can be registered", refused.getMessage());
                untried.set(Optional.empty());
            }
            return Optional.empty();
        }
        Credentials kept = new Credentials(stored.nodeId(), stored.apiKey(), stored.name(), orchestratorUrl,
                stored.registeredAt());
        store.save(kept);
        current.set(kept);
        LOG.infof("The orchestrator takes the stored key: keeping node identity %s (%s), now stored for %s", kept.nodeId(),
                kept.name(), orchestratorUrl);
        return Optional.of(kept);
    }

    private Credentials registered(NodeRegistration answer) {
        if (answer == null || answer.id() == null || answer.apiKey() == null) {
            throw new OrchestratorException("POST /register", 200, "answer without id or api_key", null, null);
        }
        Credentials credentials = new Credentials(answer.id(), answer.apiKey(), identity.name(), orchestratorUrl,
                answer.registeredAt() != null ? answer.registeredAt() : clock.instant().toString());
        store.save(credentials);
        current.set(credentials);
        LOG.infof("Registered as node %s (%s); identity stored in %s", credentials.nodeId(), credentials.name(), store.file());
        return credentials;
    }

    private static RuntimeException refusedForGood(OrchestratorException e) {
        if (e.isUnauthorized()) {
            return new RegistrationRefused("Registration failed - invalid registration token");
        }
        if (e.status() == 503) {
            return new RegistrationRefused("Registration failed - orchestrator has registration disabled");
        }
        return e;
    }
}
