package com.elcanotek.victoria.runner.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.elcanotek.victoria.runner.e2e.FakeBackedRunner;
import com.elcanotek.victoria.runner.e2e.Launcher;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;

/**
 * Start-up: the runner's process spawned to its first GET /tasks/pending served, a first start each time (fresh
 * state folder, so registration included), the median of several.
 */
final class StartupBench {

    private StartupBench() {
    }

    static List<Figure> run(BenchRun run, Launcher launcher, int times) throws Exception {
        List<Double> millis = new ArrayList<>();
        for (int i = 1; i <= times; i++) {
            try (FakeOrchestrator fake = BenchRun.fake();
                    FakeBackedRunner runner = run.start(launcher, fake, "startup-" + launcher.name() + "-" + i, Map.of())) {
                millis.add(Duration.between(runner.startedAt(), BenchRun.firstPoll(fake)).toNanos() / 1e6);
            }
        }
        List<Double> sorted = millis.stream().sorted().toList();
        return List.of(Figure.of("startup", "startup (median of " + times + ")", "ms", sorted.get(sorted.size() / 2),
                "process spawned -> first GET /tasks/pending, first start with registration; runs: " + millis));
    }
}
