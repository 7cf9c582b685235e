package com.elcanotek.victoria.runner.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready = registered, the orchestrator answered recently, the container runtime answers, the Victoria home has
 * room for new tasks, and nothing holds claiming back (a drain, a first image pull, task starts that keep failing
 * for reasons of this host). The data says why not, and what the runner is doing.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final RunnerHealth health;
    private final Clock clock;

    public ReadinessCheck(RunnerHealth health) {
        this.health = health;
        this.clock = Clock.systemUTC();
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("runner");
        Optional<RunnerView> runner = health.runner();
        if (runner.isEmpty()) {
            return response.down().withData("reason", "runner not started").build();
        }
        RunnerView view = runner.get();
        view.runtimeVersion().ifPresent(v -> response.withData("container_runtime", v));
        view.lastContact().ifPresent(t -> response.withData("last_contact", t.toString()));
        view.nodeId().ifPresent(id -> response.withData("node_id", id));
        response.withData("tasks_held", view.tasksHeld());
        // A detail, not a reason to be unready: tasks run, without the limits.
        view.limitsNotEnforced().ifPresent(warning -> response.withData("limits_not_enforced", warning));
        String reason = notReadyBecause(view);
        return (reason == null ? response.up() : response.down().withData("reason", reason)).build();
    }

    private String notReadyBecause(RunnerView view) {
        if (view.runtimeVersion().isEmpty()) {
            return "container runtime does not answer";
        }
        if (view.nodeId().isEmpty()) {
            return "not registered";
        }
        Optional<Instant> contact = view.lastContact();
        if (contact.isEmpty()) {
            return "no contact with the orchestrator yet";
        }
        Duration age = Duration.between(contact.get(), clock.instant());
        if (age.compareTo(view.contactMaxAge()) > 0) {
            return "no contact with the orchestrator for " + age.toSeconds() + " s";
        }
        return view.diskShortage().or(view::claimingStopped).orElse(null);
    }
}
