package com.elcanotek.victoria.runner.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.elcanotek.victoria.runner.e2e.Launcher;

/**
 * The benchmark suite (bench/run.sh): the packaged runner against the fake orchestrator (in this JVM) and real podman
 * with the test image, per launcher: the jar as {@code java -jar} starts it, the jar with the recommended JVM options,
 * and the native executable when one was built. Prints a table and writes target/bench/results.json.
 *
 * <p>Usage: {@code BenchSuite [--quick] [startup|idle|latency|throughput|scale|session|fleet ...]} (all scenarios by
 * default).
 */
public final class BenchSuite {

    /** The windows and sizes the issue asks for, and a quick variant to check that the suite works. */
    record Plan(boolean quick, int startupRuns, Duration idleSettle, Duration idleCpu, int latencyTasks,
            int throughputTasks, List<Integer> concurrencies, int scaleContainers, Duration scaleWindow,
            List<Integer> sessionMegabytes, FleetBench.Plan fleet) {
    }

    static final Plan FULL = new Plan(false, 5, Duration.ofSeconds(60), Duration.ofMinutes(5), 50, 200, List.of(1, 8), 50,
            Duration.ofSeconds(60), List.of(40, 400), new FleetBench.Plan(50, Duration.ofMinutes(3), Duration.ofMinutes(2), 5,
                    Duration.ofSeconds(40), 25, Duration.ofSeconds(60)));
    static final Plan QUICK = new Plan(true, 3, Duration.ofSeconds(10), Duration.ofSeconds(30), 20, 40, List.of(1, 8), 10,
            Duration.ofSeconds(15), List.of(10), new FleetBench.Plan(10, Duration.ofSeconds(60), Duration.ofSeconds(30), 2,
                    Duration.ofSeconds(15), 5, Duration.ofSeconds(30)));

    static final List<String> SCENARIOS = List.of("startup", "idle", "latency", "throughput", "scale", "session",
            "fleet");

    /** What an operator gets from {@code java -jar}: the JVM's own choices (G1, a quarter of RAM as heap, C2). */
    static final Launcher JVM = Launcher.jvm("jvm", List.of());
    /**
     * The recommended options: the serial collector keeps the collector's own structures and threads small, a 16 MB
     * initial heap keeps the young generation (all of whose pages get touched) small, as the runner's live data is a
     * few MB; the 256 MB cap bounds growth (chosen when the runner still read a whole agent session; since it reads
     * only what fits the body, 64 MB reported a 400 MB session); stopping at C1 saves the C2 compiler's memory and
     * CPU on code that mostly waits for podman.
     * bench/run.sh replaces them with $BENCH_TUNED_JVM_OPTIONS when set.
     */
    static final Launcher TUNED = Launcher.packaged("jvm-tuned", System.getProperty("bench.tuned-jvm-options") == null
            ? List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx256m", "-XX:TieredStopAtLevel=1")
            : List.of(System.getProperty("bench.tuned-jvm-options").trim().split("\\s+")));
    /** Idle only: what the options do on their own, and smaller or larger sets that were considered. */
    static final List<Launcher> IDLE_VARIANTS = List.of(
            Launcher.jvm("jvm-c1", List.of("-XX:TieredStopAtLevel=1")),
            Launcher.jvm("jvm-serial", List.of("-XX:+UseSerialGC")),
            Launcher.jvm("jvm-xmx256", List.of("-Xmx256m")),
            Launcher.jvm("jvm-serial-c1-xmx256", List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1")),
            Launcher.jvm("jvm-serial-c1-xmx64", List.of("-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1")),
            Launcher.jvm("jvm-tuned-xss256k", List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-Xss256k")));

    private static final Path REPORT = Path.of("target", "bench", "results.json");

    private BenchSuite() {
    }

    public static void main(String[] args) throws Exception {
        Plan plan = FULL;
        Set<String> scenarios = new LinkedHashSet<>();
        for (String arg : args) {
            if (arg.equals("--quick")) {
                plan = QUICK;
            } else if (SCENARIOS.contains(arg)) {
                scenarios.add(arg);
            } else {
                System.err.println("usage: bench/run.sh [--quick] [" + String.join("|", SCENARIOS) + " ...]");
                System.exit(2);
            }
        }
        if (scenarios.isEmpty()) {
            scenarios.addAll(SCENARIOS);
        }
        // A Ctrl-C must not leave runners behind; bench/run.sh then removes their containers by label.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
                .forEach(ProcessHandle::destroyForcibly)));

        List<Launcher> launchers = new ArrayList<>(List.of(JVM, TUNED));
        Launcher.nativeBuilt().ifPresent(launchers::add);
        Results results = new Results(plan, launchers);
        results.header("not built: no target/*-runner (`./mvnw package -Dnative` needs GraalVM or Mandrel)");
        String work = System.getProperty("bench.work");
        try (BenchRun run = new BenchRun(System.getProperty("bench.id", "bench-" + ProcessHandle.current().pid()),
                work == null ? null : Path.of(work))) {
            for (String scenario : scenarios) {
                runScenario(run, plan, scenario, launchers, results);
            }
        }
        results.print();
        results.write(REPORT);
        System.out.println("written to " + REPORT);
        System.exit(results.failures().isEmpty() ? 0 : 1);
    }

    private static void runScenario(BenchRun run, Plan plan, String scenario, List<Launcher> launchers, Results results) {
        System.out.printf("%s  %s (load average %s)%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS), scenario,
                Figure.loadAverages());
        if (scenario.equals("fleet")) {
            // One launcher: many runners of the recommended set-up are what a fleet is.
            results.guard(scenario, TUNED.name(), () -> results.add(TUNED, FleetBench.run(run, TUNED, plan.fleet())));
            return;
        }
        if (scenario.equals("idle")) {
            List<Launcher> all = new ArrayList<>(launchers);
            all.addAll(IDLE_VARIANTS);
            results.guard(scenario, "all", () -> IdleBench.run(run, all, plan.idleSettle(), plan.idleCpu()).forEach(results::add));
            return;
        }
        for (Launcher launcher : launchers) {
            results.guard(scenario, launcher.name(), () -> {
                switch (scenario) {
                    case "startup" -> results.add(launcher, StartupBench.run(run, launcher, plan.startupRuns()));
                    case "latency" -> {
                        List<Latency> latencies = TaskLatencyBench.run(run, launcher, plan.latencyTasks());
                        results.latencies(launcher, latencies);
                        for (Latency latency : latencies) {
                            boolean targeted = latency.name().equals("exit_to_final_status")
                                    || latency.name().equals("final_status_to_next_claim");
                            results.add(launcher, latency.figures(scenario, targeted ? 1000.0 : null));
                        }
                    }
                    case "throughput" -> {
                        for (int concurrency : plan.concurrencies()) {
                            results.add(launcher, ThroughputBench.run(run, launcher, plan.throughputTasks(), concurrency));
                        }
                    }
                    case "scale" -> results.add(launcher, ScaleBench.run(run, launcher, plan.scaleContainers(), plan.scaleWindow()));
                    case "session" -> {
                        // Two sizes ten times apart: whether the runner's memory grows with the agent's session.
                        for (int megabytes : plan.sessionMegabytes()) {
                            results.add(launcher, SessionLogBench.run(run, launcher, megabytes, 1024));
                        }
                    }
                    default -> throw new IllegalArgumentException(scenario);
                }
            });
        }
    }
}
