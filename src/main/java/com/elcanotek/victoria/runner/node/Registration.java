package com.elcanotek.victoria.runner.node;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.orchestrator.NodeRegistration;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.OrchestratorException;

/**
 * The node's identity with the orchestrator. Registers once and reuses the stored key across
 * restarts; registers again only when the key is refused (401) or the node is gone (404).
 */
public class Registration {

    private static final Logger LOG = Logger.getLogger(Registration.class);

    private final Orchestrator orchestrator;
    private final CredentialsStore store;
    private final NodeIdentity identity;
    private final Supplier<String> registrationToken;
    private final String orchestratorUrl;
    private final Clock clock;
    private final NodeCredentials current;

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

    /** The stored identity if it belongs to this orchestrator and name, else a new registration. */
    public Credentials ensure() {
        Optional<Credentials> stored = store.load()
                .filter(c -> orchestratorUrl.equals(c.orchestratorUrl()) && identity.name().equals(c.name()));
        if (stored.isPresent()) {
            LOG.infof("Using stored node identity %s (%s)", stored.get().nodeId(), stored.get().name());
            current.set(stored.get());
            return stored.get();
        }
        return register("no stored identity for this orchestrator and name",
                () -> orchestrator.register(registrationToken.get(), identity.registerRequest()));
    }

    /**
     * Registers again, in one try, because the orchestrator refused {@code refused}, the identity a request was
     * sent with; when another caller has renewed it meanwhile (several tasks refused at once), that renewal is the
     * answer: each registration rotates the key.
     *
     * @throws OrchestratorException when the registration did not go through: the caller's next try is the retry
     */
    public synchronized Credentials renewUnlessRenewed(Optional<Credentials> refused, String reason) {
        Optional<Credentials> now = current.current();
        if (now.isPresent() && !now.equals(refused)) {
            return now.get();
        }
        return register(reason, () -> orchestrator.registerOnce(registrationToken.get(), identity.registerRequest()));
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

    private Credentials register(String reason, Supplier<NodeRegistration> call) {
        LOG.infof("Registering node '%s' with %s (%s)", identity.name(), orchestratorUrl, reason);
        NodeRegistration answer;
        try {
            answer = call.get();
        } catch (OrchestratorException e) {
            if (e.isUnauthorized()) {
                throw new RegistrationRefused("Registration failed - invalid registration token");
            }
            if (e.status() == 503) {
                throw new RegistrationRefused("Registration failed - orchestrator has registration disabled");
            }
            throw e;
        }
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
}
