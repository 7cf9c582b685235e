package com.elcanotek.victoria.runner.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

import com.elcanotek.victoria.runner.e2e.FakeBackedRunner;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * How much time the runner itself adds around a task: N tasks ({@code exit=0}) run one after another
 * through the packaged runner, the fake orchestrator in this process and real podman. Orchestrator-side
 * times come from the fake's status history, container times from {@code podman events}; both read the
 * same wall clock. Run from the project root through bench/task-latency.sh.
 */
public final class TaskLatencyBench {

    private static final Path REPORT = Path.of("target", "bench", "task-latency.json");
    private static final Duration TASK_WAIT = Duration.ofSeconds(60);

    private TaskLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path work = Files.createTempDirectory("task-latency-");
        String name = "bench-" + ProcessHandle.current().pid();
        List<Latency> figures;
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                ContainerEvents events = ContainerEvents.follow(name, Instant.now())) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(orchestrator.createTask("exit=0"));
            }
            List<TaskSnapshot> done = new ArrayList<>();
            try (FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, name,
                    Map.of("--max-concurrent-tasks", "1"), Map.of())) {
                for (String id : ids) {
                    done.add(orchestrator.awaitState(id, TaskState.SUCCESS, TASK_WAIT));
                }
            }
            // The events stream lags the runner a little.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream()
                    .allMatch(id -> events.at(id, "start").isPresent() && events.at(id, "died").isPresent()));
            figures = figures(done, events);
        } finally {
            deleteTree(work);
        }
        report(count, figures);
    }

    private static List<Latency> figures(List<TaskSnapshot> done, ContainerEvents events) {
        List<TaskSnapshot> byClaim = done.stream().sorted(Comparator.comparing(t -> t.firstAt(TaskState.LEASED))).toList();
        List<Duration> claimToRunning = new ArrayList<>();
        List<Duration> claimToStart = new ArrayList<>();
        List<Duration> exitToFinal = new ArrayList<>();
        List<Duration> finalToNextClaim = new ArrayList<>();
        for (int i = 0; i < byClaim.size(); i++) {
            TaskSnapshot task = byClaim.get(i);
            Instant claimed = task.firstAt(TaskState.LEASED);
            claimToRunning.add(Duration.between(claimed, task.firstAt(TaskState.RUNNING)));
            claimToStart.add(Duration.between(claimed, events.at(task.id(), "start").orElseThrow()));
            exitToFinal.add(Duration.between(events.at(task.id(), "died").orElseThrow(), task.firstAt(TaskState.SUCCESS)));
            if (i + 1 < byClaim.size()) {
                finalToNextClaim.add(Duration.between(task.firstAt(TaskState.SUCCESS), byClaim.get(i + 1).firstAt(TaskState.LEASED)));
            }
        }
        return List.of(
                Latency.of("claim_to_running", "claim (GET /tasks/pending served) -> 'running' status received", claimToRunning),
                Latency.of("claim_to_container_start", "claim -> container started (podman event 'start')", claimToStart),
                Latency.of("exit_to_final_status", "container died (podman event 'died') -> final status received", exitToFinal),
                Latency.of("final_status_to_next_claim", "final status received -> next task claimed (back-to-back gap)",
                        finalToNextClaim));
    }

    /** The agent's run records under the home are the only thing left behind. */
    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void report(int count, List<Latency> figures) throws Exception {
        System.out.printf("%d tasks, one at a time%n%-28s %8s %8s %8s  (ms)%n", count, "figure", "p50", "p95", "max");
        for (Latency figure : figures) {
            System.out.printf("%-28s %8.0f %8.0f %8.0f%n", figure.name(), figure.p50(), figure.p95(), figure.max());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("measured_at", Instant.now().toString());
        json.put("tasks", count);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("unit", "ms");
        json.put("figures", figures);
        Files.createDirectories(REPORT.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(REPORT.toFile(), json);
        System.out.println("written to " + REPORT);
    }
}
