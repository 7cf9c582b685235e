package com.elcanotek.victoria.runner.node;

import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.elcanotek.victoria.runner.state.Layout;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

import com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One start of a runner's node side, wired as the daemon wires it: a client that sends the key
 * of the registration, the registration over a credentials store in {@code stateDir}, and the
 * heartbeat naming the task {@code heartbeatTask} gives.
 */
record TestNode(Registration registration, Heartbeat heartbeat, CredentialsStore store) {

    static TestNode start(WireMockOrchestrator server, ObjectMapper json, Path stateDir, String token, String orchestratorUrl,
            String name, Supplier<Optional<String>> heartbeatTask) {
        return start(server, json, stateDir, token, orchestratorUrl, name, heartbeatTask, Optional::empty, Clock.systemUTC());
    }

    /** @param hostTrouble why the host cannot take work, as the heartbeat asks it */
    static TestNode start(WireMockOrchestrator server, ObjectMapper json, Path stateDir, String token, String orchestratorUrl,
            String name, Supplier<Optional<String>> heartbeatTask, Supplier<Optional<String>> hostTrouble, Clock clock) {
        NodeCredentials credentials = new NodeCredentials(new SecretMasker());
        Orchestrator orchestrator = server.client(credentials::apiKey, json, clock);
        CredentialsStore store = new CredentialsStore(new Layout(stateDir, stateDir.resolve("Victoria")).credentials(), json);
        Registration registration = new Registration(orchestrator, store, new NodeIdentity("host-1", name, "debian"),
                () -> token, orchestratorUrl, credentials, clock);
        return new TestNode(registration, new Heartbeat(orchestrator, registration, heartbeatTask,
                new RunnerMetrics(new SimpleMeterRegistry()), hostTrouble), store);
    }
}
