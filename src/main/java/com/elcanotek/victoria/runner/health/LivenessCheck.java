package com.elcanotek.victoria.runner.health;

import java.time.Clock;
import java.time.Duration;
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
        return view.lastPollTick().map(tick -> {
            Duration silence = Duration.between(tick, clock.instant());
            response.withData("last_poll", tick.toString());
            if (silence.compareTo(view.pollMaxSilence()) > 0) {
                response.down().withData("reason", "no poll for " + silence.toSeconds() + " s");
            }
            return response.build();
        }).orElseGet(response::build);
    }
}
