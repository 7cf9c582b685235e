package com.elcanotek.victoria.runner.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.elcanotek.victoria.runner.e2e.FakeBackedRunner;
import com.elcanotek.victoria.runner.e2e.Launcher;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * Throughput: N short tasks ({@code exit=0}) queued, then worked off with a given number of slots. Timed from the
 * first claim to the last final status, so the runner's start-up does not count; its memory is sampled throughout.
 */
final class ThroughputBench {

    /** 200 tasks one at a time took about 2 minutes on 2 shared cores; room for a slower machine. */
    private static final Duration ALL_DONE = Duration.ofMinutes(15);

    private ThroughputBench() {
    }

    static List<Figure> run(BenchRun run, Launcher launcher, int count, int concurrency) throws Exception {
        String scenario = "throughput x" + concurrency;
        try (FakeOrchestrator fake = BenchRun.fake()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(fake.createTask("exit=0"));
            }
            try (FakeBackedRunner runner = run.start(launcher, fake, "throughput" + concurrency + "-" + launcher.name(),
                    Map.of("--max-concurrent-tasks", Integer.toString(concurrency)));
                    RssSampler rss = new RssSampler(runner.pid())) {
                List<TaskSnapshot> done = BenchRun.awaitFinal(fake, ids, ALL_DONE);
                double cpu = Proc.cpuSeconds(runner.pid());
                double peak = Proc.peakRssMb(runner.pid());
                Instant first = done.stream().map(t -> t.firstAt(TaskState.LEASED)).min(Instant::compareTo).orElseThrow();
                Instant last = done.stream().map(t -> t.history().get(t.history().size() - 1).at()).max(Instant::compareTo)
                        .orElseThrow();
                double minutes = Duration.between(first, last).toMillis() / 60_000.0;
                long failed = done.stream().filter(t -> t.state() == TaskState.ERROR).count();
                String tasks = count + " tasks, " + concurrency + " at a time";
                return List.of(
                        Figure.of(scenario, "tasks per minute", "tasks/min", count / minutes,
                                tasks + ": first claim -> last final status"),
                        Figure.of(scenario, "failed tasks", "count", failed, tasks + ": tasks that ended in error")
                                .targetBelow(1),
                        Figure.of(scenario, "peak RSS", "MB", peak, "VmHWM after the run (start-up included); highest"
                                + " 1 s sample during it: %.1f MB".formatted(rss.maxMb())),
                        Figure.of(scenario, "RSS growth", "%", rss.growthPercent(first, last),
                                "mean VmRSS of the run's last quarter vs its first quarter").targetBelow(10),
                        Figure.of(scenario, "CPU per task", "ms", cpu * 1000 / count,
                                "runner's utime+stime from its start to the last final status, per task"));
            }
        }
    }
}
