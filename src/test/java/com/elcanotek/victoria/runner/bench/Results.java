package com.elcanotek.victoria.runner.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.elcanotek.victoria.runner.e2e.Launcher;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Everything measured, printed as a table and written as JSON. */
final class Results {

    interface Step {
        void run() throws Exception;
    }

    private final BenchSuite.Plan plan;
    private final List<Launcher> launchers;
    private final Map<Launcher, List<Figure>> figures = new LinkedHashMap<>();
    private final Map<String, List<Latency>> latencies = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final List<String> scenarioOrder = new ArrayList<>();
    private final String loadAtStart = Figure.loadAverages();
    private final Instant startedAt = Instant.now();
    private String nativeNote;

    Results(BenchSuite.Plan plan, List<Launcher> launchers) {
        this.plan = plan;
        this.launchers = launchers;
    }

    void header(String noNative) {
        nativeNote = launchers.stream().anyMatch(Launcher::isNative) ? "measured" : noNative;
        System.out.printf("victoria-runner benchmark, %s; %s; load average %s%nnative: %s%n", machine().get("cpu"),
                machine().get("os"), loadAtStart, nativeNote);
        if (plan.quick()) {
            System.out.println(quickNote());
        }
    }

    private String quickNote() {
        return ("QUICK RUN: shortened windows (idle: RSS after %d s, CPU over %d s; %d latency tasks; %d throughput tasks;"
                + " %d scale containers for %d s; sessions of %s MB; a fleet of %d, idle %d s, outage %d s): not the figures the"
                + " targets are about").formatted(plan.idleSettle().toSeconds(), plan.idleCpu().toSeconds(),
                        plan.latencyTasks(), plan.throughputTasks(), plan.scaleContainers(), plan.scaleWindow().toSeconds(),
                        plan.sessionMegabytes(), plan.fleet().runners(), plan.fleet().idleWindow().toSeconds(),
                        plan.fleet().outage().toSeconds());
    }

    /** Runs one scenario step; a failure is recorded and the suite goes on with the next. */
    void guard(String scenario, String launcher, Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            String message = e.getClass().getSimpleName() + ": " + e.getMessage();
            failures.put(scenario + " / " + launcher, message);
            System.out.printf("FAILED %s / %s: %s%n", scenario, launcher, message);
        }
    }

    void add(Launcher launcher, List<Figure> measured) {
        figures.computeIfAbsent(launcher, l -> new ArrayList<>()).addAll(measured);
        measured.stream().map(Figure::scenario).filter(scenario -> !scenarioOrder.contains(scenario)).forEach(scenarioOrder::add);
        measured.forEach(f -> System.out.printf("  %-10s %-34s %10s %s%n", launcher.name(), f.name(), f.formatted(), f.unit()));
    }

    void latencies(Launcher launcher, List<Latency> measured) {
        latencies.put(launcher.name(), measured);
    }

    Map<String, String> failures() {
        return failures;
    }

    void print() {
        StringBuilder table = new StringBuilder("\n");
        table.append(row("scenario", "figure", "unit", "target", launchers.stream().map(Launcher::name).toList()));
        // Scenario by scenario, in the order measured: each scenario runs for every launcher before the next one.
        List<Figure> rows = figures.values().stream().flatMap(List::stream)
                .sorted(Comparator.comparing(f -> scenarioOrder.indexOf(f.scenario()))).filter(distinctKey()).toList();
        for (Figure row : rows) {
            List<String> cells = launchers.stream().map(l -> cell(find(l, row))).toList();
            table.append(row(row.scenario(), row.name(), row.unit(), row.below() == null ? "" : "< " + row.formattedBelow(),
                    cells));
        }
        String idleHeading = "\nidle footprint by JVM options (all idling side by side)\n";
        for (Launcher variant : figures.keySet()) {
            List<Figure> idle = figures.get(variant).stream().filter(f -> f.scenario().equals("idle")).toList();
            if (!idle.isEmpty() && !variant.isNative()) {
                table.append(idleHeading).append("  %-20s %-58s %s%n".formatted(variant.name(),
                        String.join(" ", variant.jvmOptions()),
                        String.join("  ", idle.stream().map(f -> f.name() + " " + f.formatted() + " " + f.unit()).toList())));
                idleHeading = "";
            }
        }
        table.append("cells: value, ok/MISS against the target, [1-min load average when measured]\n");
        table.append("load average: at start " + loadAtStart + ", at end " + Figure.loadAverages() + "\n");
        table.append("native: " + nativeNote + "\n");
        if (plan.quick()) {
            table.append(quickNote()).append('\n');
        }
        failures.forEach((step, message) -> table.append("FAILED " + step + ": " + message + "\n"));
        System.out.print(table);
    }

    private static Predicate<Figure> distinctKey() {
        Set<String> seen = new LinkedHashSet<>();
        return f -> seen.add(f.scenario() + "/" + f.name());
    }

    private Figure find(Launcher launcher, Figure like) {
        return figures.getOrDefault(launcher, List.of()).stream()
                .filter(f -> f.scenario().equals(like.scenario()) && f.name().equals(like.name())).findFirst().orElse(null);
    }

    private static String cell(Figure figure) {
        if (figure == null) {
            return "-";
        }
        String mark = figure.met() == null ? "" : figure.met() ? " ok" : " MISS";
        return "%s%s [%.1f]".formatted(figure.formatted(), mark, figure.loadAverage());
    }

    private static String row(String scenario, String figure, String unit, String target, List<String> cells) {
        StringBuilder line = new StringBuilder("%-18s %-34s %-9s %-7s".formatted(scenario, figure, unit, target));
        cells.forEach(cell -> line.append(" | %-20s".formatted(cell)));
        return line.append('\n').toString();
    }

    void write(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode json = mapper.createObjectNode();
        json.put("started_at", startedAt.toString()).put("finished_at", Instant.now().toString());
        json.put("quick", plan.quick());
        if (plan.quick()) {
            json.put("quick_note", quickNote());
        }
        json.set("plan", mapper.valueToTree(Map.of("startup_runs", plan.startupRuns(),
                "idle_settle_s", plan.idleSettle().toSeconds(), "idle_cpu_window_s", plan.idleCpu().toSeconds(),
                "latency_tasks", plan.latencyTasks(), "throughput_tasks", plan.throughputTasks(),
                "concurrencies", plan.concurrencies(), "scale_containers", plan.scaleContainers(),
                "scale_window_s", plan.scaleWindow().toSeconds(), "session_mb", plan.sessionMegabytes())));
        json.set("machine", mapper.valueToTree(machine()));
        json.put("load_average_start", loadAtStart).put("load_average_end", Figure.loadAverages());
        json.put("native", nativeNote);
        ObjectNode byLauncher = json.putObject("launchers");
        figures.forEach((launcher, measured) -> {
            ObjectNode entry = byLauncher.putObject(launcher.name());
            entry.put("command", launcher.isNative() ? launcher.nativeExecutable().toString()
                    : String.join(" ", Stream.concat(Stream.of("java"), launcher.jvmOptions().stream()).toList())
                            + " -jar target/quarkus-app/quarkus-run.jar");
            measured.forEach(f -> {
                ObjectNode figure = mapper.valueToTree(f);
                entry.withArray("figures").add(figure.put("met", f.met()));
            });
        });
        json.set("latency_detail", mapper.valueToTree(latencies));
        json.set("failures", mapper.valueToTree(failures));
        Files.createDirectories(file.getParent());
        mapper.writeValue(file.toFile(), json);
    }

    /** The host, as far as the figures depend on it. */
    private static Map<String, String> machine() {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("cpu", Runtime.getRuntime().availableProcessors() + " cores, " + firstValue("/proc/cpuinfo", "model name"));
        machine.put("memory", firstValue("/proc/meminfo", "MemTotal"));
        machine.put("os", firstValue("/etc/os-release", "PRETTY_NAME").replace("\"", "") + ", kernel "
                + read("/proc/sys/kernel/osrelease").strip());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("podman", System.getProperty("bench.podman", "?"));
        return machine;
    }

    private static String firstValue(String file, String key) {
        return read(file).lines().filter(line -> line.startsWith(key)).findFirst()
                .map(line -> line.substring(line.indexOf(line.contains(":") ? ':' : '=') + 1).strip()).orElse("?");
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
