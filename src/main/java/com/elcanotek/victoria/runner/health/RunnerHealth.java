package com.elcanotek.victoria.runner.health;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Singleton;

/** Hands the running runner to the health checks; empty while no daemon runs (help, status, start-up). */
@Singleton
public class RunnerHealth {

    private final AtomicReference<RunnerView> runner = new AtomicReference<>();

    public void attach(RunnerView view) {
        runner.set(view);
    }

    public void detach(RunnerView view) {
        runner.compareAndSet(view, null);
    }

    public Optional<RunnerView> runner() {
        return Optional.ofNullable(runner.get());
    }
}
