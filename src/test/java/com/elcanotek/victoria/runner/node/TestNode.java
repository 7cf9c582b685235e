package com.elcanotek.victoria.runner.node;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

import com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.task.HeldTasks;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One start of a runner's node side, wired as the daemon wires it: a client that sends the key
 * of the registration, the registration over a credentials store in {@code stateDir}, and the
 * heartbeat naming a task of {@code held}.
 */
record TestNode(Registration registration, Heartbeat heartbeat, CredentialsStore store) {

    static TestNode start(WireMockOrchestrator server, ObjectMapper json, Path stateDir, String token, String orchestratorUrl,
            String name, HeldTasks held) {
        AtomicReference<Registration> registration = new AtomicReference<>();
        Orchestrator orchestrator = server.client(() -> registration.get().apiKey(), json, Clock.systemUTC());
        CredentialsStore store = new CredentialsStore(stateDir, json);
        registration.set(new Registration(orchestrator, store, new NodeIdentity("host-1", name, "debian"), () -> token,
                orchestratorUrl, Clock.systemUTC()));
        return new TestNode(registration.get(), new Heartbeat(orchestrator, registration.get(), held::heartbeatTask,
                new RunnerMetrics(new SimpleMeterRegistry())), store);
    }
}
