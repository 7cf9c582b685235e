package com.elcanotek.victoria.runner.health;

import java.time.Clock;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/** Live = the poll job keeps running. A runner still registering is live. */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

    private final RunnerHealth health;
    private final Clock clock;

    public LivenessCheck(RunnerHealth health) {
        this.health = health;
        this.clock = Clock.systemUTC();
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("task-loop").up();
        Optional<RunnerView> runner = health.runner();
        if (runner.isEmpty()) {
            return response.build();
        }
        RunnerView view = runner.get();
        view.lastPollTick().ifPresent(tick -> response.withData("last_poll", tick.toString()));
        view.pollStuckBecause(clock.instant()).ifPresent(reason -> response.down().withData("reason", reason));
        return response.build();
    }
}
