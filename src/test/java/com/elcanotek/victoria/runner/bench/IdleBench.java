package com.elcanotek.victoria.runner.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.elcanotek.victoria.runner.e2e.FakeBackedRunner;
import com.elcanotek.victoria.runner.e2e.Launcher;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;

/**
 * Idle footprint: runners with nothing to do, polling every second. All launchers idle side by side, since an idle
 * runner's memory and CPU time are its own whatever runs next to it, and five minutes each would add up.
 */
final class IdleBench {

    private IdleBench() {
    }

    /** @return per launcher: RSS once settled, CPU seconds over the window after that, RSS at its end */
    static Map<Launcher, List<Figure>> run(BenchRun run, List<Launcher> launchers, Duration settle, Duration cpuWindow)
            throws Exception {
        Map<Launcher, FakeBackedRunner> runners = new LinkedHashMap<>();
        try (FakeOrchestrator fake = BenchRun.fake()) {
            try {
                for (Launcher launcher : launchers) {
                    runners.put(launcher, run.start(launcher, fake, "idle-" + launcher.name(), Map.of()));
                }
                Instant lastStarted = runners.values().stream().map(FakeBackedRunner::startedAt).max(Instant::compareTo)
                        .orElseThrow();
                sleepUntil(lastStarted.plus(settle));
                Map<Launcher, Double> settledRss = new LinkedHashMap<>();
                Map<Launcher, Double> cpuBefore = new LinkedHashMap<>();
                runners.forEach((launcher, runner) -> {
                    settledRss.put(launcher, Proc.rssMb(runner.pid()));
                    cpuBefore.put(launcher, Proc.cpuSeconds(runner.pid()));
                });
                Thread.sleep(cpuWindow.toMillis());
                Map<Launcher, List<Figure>> figures = new LinkedHashMap<>();
                runners.forEach((launcher, runner) -> figures.put(launcher, List.of(
                        Figure.of("idle", "idle RSS after " + settle.toSeconds() + " s", "MB", settledRss.get(launcher),
                                "VmRSS " + settle.toSeconds() + " s after start, polling every 1 s")
                                .targetBelow(launcher.isNative() ? 40 : 150),
                        Figure.of("idle", "idle CPU in " + cpuWindow.toSeconds() + " s", "cpu s",
                                Proc.cpuSeconds(runner.pid()) - cpuBefore.get(launcher),
                                "utime+stime over the " + cpuWindow.toSeconds() + " s after the RSS reading"),
                        Figure.of("idle", "idle RSS after " + (settle.plus(cpuWindow)).toSeconds() + " s", "MB",
                                Proc.rssMb(runner.pid()), "VmRSS at the end of the CPU window"))));
                return figures;
            } finally {
                for (FakeBackedRunner runner : runners.values()) {
                    runner.close();
                }
            }
        }
    }

    private static void sleepUntil(Instant moment) throws InterruptedException {
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), moment).toMillis()));
    }
}
