package com.elcanotek.victoria.runner.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.container.ContainerRuntime;

/**
 * Whether the container engine answers right now, for readiness: an engine that stopped answering
 * (podman's storage locked, the docker daemon down) fails every task. Asked at most once per
 * {@link #FRESH}, so that a busy monitor does not start a CLI per request.
 */
public class RuntimeProbe {

    private static final Logger LOG = Logger.getLogger(RuntimeProbe.class);
    static final Duration FRESH = Duration.ofSeconds(10);

    private record Answer(Instant at, Optional<String> version) {
    }

    private final ContainerRuntime runtime;
    private final Clock clock;
    private volatile Answer last;

    public RuntimeProbe(ContainerRuntime runtime, Clock clock) {
        this.runtime = runtime;
        this.clock = clock;
    }

    /** "podman 4.3.1" while the engine answers; empty when it does not. */
    public synchronized Optional<String> version() {
        Answer answer = last;
        Instant now = clock.instant();
        if (answer == null || Duration.between(answer.at(), now).compareTo(FRESH) >= 0) {
            answer = new Answer(now, ask());
            last = answer;
        }
        return answer.version();
    }

    private Optional<String> ask() {
        try {
            return Optional.of(runtime.name() + " " + runtime.ping());
        } catch (RuntimeException e) {
            LOG.debugf("The container runtime does not answer: %s", e.getMessage());
            return Optional.empty();
        }
    }
}
