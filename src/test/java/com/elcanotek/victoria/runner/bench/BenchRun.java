package com.elcanotek.victoria.runner.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

import com.elcanotek.victoria.runner.e2e.FakeBackedRunner;
import com.elcanotek.victoria.runner.e2e.Launcher;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.RequestRecord;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * What the scenarios share: the id that names every runner of this run (and so labels every container they start,
 * which is how bench/run.sh finds leftovers), the work folder, and how runners are started.
 */
final class BenchRun implements AutoCloseable {

    private final String id;
    private final Path work;

    /** @param work the folder for the runners' homes and state (bench/run.sh's), or null for a new temporary one */
    BenchRun(String id, Path work) throws IOException {
        this.id = id;
        this.work = work != null ? Files.createDirectories(work) : Files.createTempDirectory(id + "-");
    }

    /** A fresh fake; registration is not rate-limited, as many runners register from 127.0.0.1 in a row. */
    static FakeOrchestrator fake() {
        return FakeBackedRunner.fake().registrationRateLimit(0).build().start();
    }

    /**
     * A runner of this run polling every second, in its own folder.
     *
     * @param name unique within the run, e.g. the scenario and the launcher
     */
    FakeBackedRunner start(Launcher launcher, FakeOrchestrator fake, String name, Map<String, String> options)
            throws IOException {
        String runnerName = runnerName(name);
        Map<String, String> merged = new LinkedHashMap<>(Map.of("--poll-interval", "1"));
        merged.putAll(options);
        return FakeBackedRunner.start(launcher, fake, work.resolve(runnerName), runnerName, merged, Map.of());
    }

    /** The name (and container label) of the runner started as {@code name}. */
    String runnerName(String name) {
        return id + "-" + name;
    }

    /** When the fake first served GET /tasks/pending, waiting up to a minute for it. */
    static Instant firstPoll(FakeOrchestrator fake) {
        return Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> fake.requests().stream().filter(r -> r.method().equals("GET") && r.path().equals("/tasks/pending"))
                        .map(RequestRecord::at).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    /** Waits until every task is final (success or error); a slow machine gets {@code patience}. */
    static List<TaskSnapshot> awaitFinal(FakeOrchestrator fake, List<String> ids, Duration patience) {
        return Awaitility.await().atMost(patience).pollInterval(Duration.ofMillis(200))
                .until(() -> ids.stream().map(fake::task).toList(),
                        tasks -> tasks.stream().allMatch(t -> t.state() == TaskState.SUCCESS || t.state() == TaskState.ERROR));
    }

    /** The agent's run records under the homes are the only thing the runners leave behind. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> paths = Files.walk(work)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
