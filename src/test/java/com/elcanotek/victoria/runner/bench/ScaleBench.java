package com.elcanotek.victoria.runner.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;

import com.elcanotek.victoria.runner.e2e.FakeBackedRunner;
import com.elcanotek.victoria.runner.e2e.Launcher;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * Scale: N containers running at once under one runner, then what supervising them costs over a window. The
 * containers sleep well past the window; closing the runner removes them (by its label), so nobody waits for them.
 */
final class ScaleBench {

    private static final Duration ALL_STARTED = Duration.ofMinutes(10);
    /** The first lease renewals and heartbeats after the last start are part of the steady state being measured. */
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private ScaleBench() {
    }

    static List<Figure> run(BenchRun run, Launcher launcher, int containers, Duration window) throws Exception {
        String name = "scale-" + launcher.name();
        // Long enough to outlast starting them all on a slow machine and the window.
        String prompt = "sleep=" + (ALL_STARTED.plus(window).toSeconds() + 60);
        try (FakeOrchestrator fake = BenchRun.fake()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < containers; i++) {
                ids.add(fake.createTask(prompt));
            }
            try (FakeBackedRunner runner = run.start(launcher, fake, name,
                    Map.of("--max-concurrent-tasks", Integer.toString(containers)))) {
                Awaitility.await().atMost(ALL_STARTED).pollInterval(Duration.ofMillis(500))
                        .until(() -> runner.runningContainers().size() == containers);
                Instant allRunning = Instant.now();
                Instant firstClaim = ids.stream().map(id -> fake.task(id).firstAt(TaskState.LEASED)).min(Instant::compareTo)
                        .orElseThrow();
                Thread.sleep(SETTLE.toMillis());
                double cpuBefore = Proc.cpuSeconds(runner.pid());
                double childrenCpuBefore = Proc.descendants(runner.pid()).cpuSeconds();
                double reapedCpuBefore = Proc.reapedChildrenCpuSeconds(runner.pid());
                Thread.sleep(window.toMillis());
                double cpu = Proc.cpuSeconds(runner.pid()) - cpuBefore;
                double reapedCpu = Proc.reapedChildrenCpuSeconds(runner.pid()) - reapedCpuBefore;
                Proc.Descendants children = Proc.descendants(runner.pid());
                long stillRunning = ids.stream().filter(id -> fake.task(id).state() == TaskState.RUNNING).count();
                String scenario = "scale " + containers;
                String over = " over " + window.toSeconds() + " s with " + containers + " containers running";
                return List.of(
                        Figure.of(scenario, "all started", "s", Duration.between(firstClaim, allRunning).toMillis() / 1000.0,
                                "first claim -> `podman ps` (asked every 0.5 s) lists them all running"),
                        Figure.of(scenario, "runner CPU", "% core", cpu / window.toSeconds() * 100, "utime+stime" + over),
                        Figure.of(scenario, "runner RSS", "MB", Proc.rssMb(runner.pid()), "VmRSS at the end of the window"),
                        Figure.of(scenario, "runner peak RSS", "MB", Proc.peakRssMb(runner.pid()), "VmHWM at the end of the window"),
                        Figure.of(scenario, "child processes", "count", children.count(),
                                "the runner's descendants at the end of the window"),
                        Figure.of(scenario, "children CPU", "% core",
                                (children.cpuSeconds() - childrenCpuBefore) / window.toSeconds() * 100, "their utime+stime" + over),
                        Figure.of(scenario, "ended children CPU", "% core", reapedCpu / window.toSeconds() * 100,
                                "cutime+cstime of the runner: its short CLI calls that ended" + over),
                        Figure.of(scenario, "children PSS", "MB", children.pssMb(),
                                "their proportional set size: what they add to the host (RSS summed: %.0f MB)"
                                        .formatted(children.rssMb())),
                        Figure.of(scenario, "tasks still running", "count", stillRunning,
                                "tasks in state running at the end (all " + containers + " expected)"));
            }
        }
    }
}
