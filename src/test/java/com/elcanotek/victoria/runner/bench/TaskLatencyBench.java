package com.elcanotek.victoria.runner.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import com.elcanotek.victoria.runner.e2e.FakeBackedRunner;
import com.elcanotek.victoria.runner.e2e.Launcher;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * How much time the runner itself adds around a task: N tasks ({@code exit=0}), queued before the runner starts,
 * run one after another. Orchestrator-side times come from the fake's status history, container times from
 * {@code podman events}; both read the same wall clock.
 */
final class TaskLatencyBench {

    private static final Duration TASK_WAIT = Duration.ofSeconds(60);

    private TaskLatencyBench() {
    }

    static List<Latency> run(BenchRun run, Launcher launcher, int count) throws Exception {
        String name = "latency-" + launcher.name();
        try (FakeOrchestrator orchestrator = BenchRun.fake();
                ContainerEvents events = ContainerEvents.follow(run.runnerName(name), Instant.now())) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(orchestrator.createTask("exit=0"));
            }
            List<TaskSnapshot> done = new ArrayList<>();
            try (FakeBackedRunner runner = run.start(launcher, orchestrator, name, Map.of("--max-concurrent-tasks", "1"))) {
                for (String id : ids) {
                    done.add(orchestrator.awaitState(id, TaskState.SUCCESS, TASK_WAIT));
                }
            }
            // The events stream lags the runner a little, and may still miss an event across a rotation of podman's
            // events file (events_logfile_max_size, 1 MB by default) that it did not replay. The figures then have
            // fewer samples, as their detail says, rather than none.
            try {
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream()
                        .allMatch(id -> events.at(id, "start").isPresent() && events.at(id, "died").isPresent()));
            } catch (ConditionTimeoutException e) {
                long incomplete = ids.stream()
                        .filter(id -> events.at(id, "start").isEmpty() || events.at(id, "died").isEmpty()).count();
                System.out.printf("  note: %s: podman events lacks the start or died event of %d of %d tasks%n", launcher.name(),
                        incomplete, count);
            }
            return figures(done, events);
        }
    }

    private static List<Latency> figures(List<TaskSnapshot> done, ContainerEvents events) {
        List<TaskSnapshot> byClaim = done.stream().sorted(Comparator.comparing(t -> t.firstAt(TaskState.LEASED))).toList();
        List<Duration> claimToRunning = new ArrayList<>();
        List<Duration> claimToStart = new ArrayList<>();
        List<Duration> exitToFinal = new ArrayList<>();
        List<Duration> finalToNextClaim = new ArrayList<>();
        List<Duration> exitToNextClaim = new ArrayList<>();
        for (int i = 0; i < byClaim.size(); i++) {
            TaskSnapshot task = byClaim.get(i);
            Instant claimed = task.firstAt(TaskState.LEASED);
            claimToRunning.add(Duration.between(claimed, task.firstAt(TaskState.RUNNING)));
            events.at(task.id(), "start").ifPresent(start -> claimToStart.add(Duration.between(claimed, start)));
            events.at(task.id(), "died").ifPresent(died -> exitToFinal.add(Duration.between(died, task.firstAt(TaskState.SUCCESS))));
            if (i + 1 < byClaim.size()) {
                Instant nextClaim = byClaim.get(i + 1).firstAt(TaskState.LEASED);
                finalToNextClaim.add(Duration.between(task.firstAt(TaskState.SUCCESS), nextClaim));
                events.at(task.id(), "died").ifPresent(died -> exitToNextClaim.add(Duration.between(died, nextClaim)));
            }
        }
        return List.of(
                Latency.of("claim_to_running", "claim (GET /tasks/pending served) -> 'running' status received", claimToRunning),
                Latency.of("claim_to_container_start", "claim -> container started (podman event 'start')", claimToStart),
                Latency.of("exit_to_final_status", "container died (podman event 'died') -> final status received", exitToFinal),
                Latency.of("final_status_to_next_claim", "final status received -> next task claimed (back-to-back gap)",
                        finalToNextClaim),
                Latency.of("exit_to_next_claim", "container died -> next task claimed: the whole turnaround of a slot",
                        exitToNextClaim));
    }
}
