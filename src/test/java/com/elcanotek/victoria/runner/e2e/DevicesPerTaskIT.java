package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * One device of its own per task, out of two GPUs that podman finds as CDI devices: stand-ins a CDI spec of this test's
 * own describes (each /dev/null in the container, and an environment variable naming which one it is), as podman 4.3
 * reads them from /var/run/cdi. Three tasks on three slots: two run at once, each on its own GPU, the third waits.
 */
class DevicesPerTaskIT {

    static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path CDI_DIR = Path.of("/var/run/cdi");

    @TempDir
    Path work;

    @Test
    void twoTasksAtOnceGetAGpuEachAndAThirdWaitsForOneOfThem() throws Exception {
        String kind = "victoria-runner-test-" + ProcessHandle.current().pid() + ".example/gpu";
        boolean madeDir = !Files.isDirectory(CDI_DIR);
        Path spec = writeCdiSpec(kind, 2);
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "devices-" + ProcessHandle.current().pid(),
                        Map.of("--device", kind + "=0," + kind + "=1,/dev/null:/dev/task-null", "--devices-per-task", "1",
                                "--max-concurrent-tasks", "3"),
                        Map.of())) {
            List<String> ids = List.of(orchestrator.createTask("sleep=4 exit=0"), orchestrator.createTask("sleep=4 exit=0"),
                    orchestrator.createTask("sleep=4 exit=0"));

            List<TaskSnapshot> done = new ArrayList<>();
            for (String id : ids) {
                done.add(orchestrator.awaitState(id, TaskState.SUCCESS, WAIT));
            }
            List<String> gpus = new ArrayList<>();
            for (String id : ids) {
                List<String> env = Files.readAllLines(runner.home().resolve("runs").resolve(id).resolve("env"));
                assertThat(env).as(id).filteredOn(line -> line.startsWith("FAKE_GPU=")).hasSize(1);
                gpus.add(env.stream().filter(line -> line.startsWith("FAKE_GPU=")).findFirst().orElseThrow());
            }
            // claimed in order: the first two ran at once on different GPUs; the third only once one had ended
            assertThat(gpus.subList(0, 2)).containsExactlyInAnyOrder("FAKE_GPU=0", "FAKE_GPU=1");
            assertThat(done.get(0).firstAt(TaskState.RUNNING)).isBefore(done.get(1).firstAt(TaskState.SUCCESS));
            assertThat(done.get(1).firstAt(TaskState.RUNNING)).isBefore(done.get(0).firstAt(TaskState.SUCCESS));
            assertThat(done.get(2).firstAt(TaskState.RUNNING)).isAfterOrEqualTo(done.subList(0, 2).stream()
                    .map(task -> task.firstAt(TaskState.SUCCESS)).min(Comparator.naturalOrder()).orElseThrow());
            assertThat(runner.output()).contains("--max-concurrent-tasks 3, but 2 device(s) at 1 per task: at most 2 task(s)"
                    + " run at once");
        } finally {
            Files.deleteIfExists(spec);
            if (madeDir) {
                Files.deleteIfExists(CDI_DIR);
            }
        }
    }

    /** GPUs {@code kind=0} ... {@code kind=(count-1)}: each /dev/null at /dev/fake-gpu, with FAKE_GPU naming it. */
    private static Path writeCdiSpec(String kind, int count) throws IOException {
        StringBuilder yaml = new StringBuilder("cdiVersion: \"0.5.0\"\nkind: \"" + kind + "\"\ndevices:\n");
        for (int i = 0; i < count; i++) {
            yaml.append("- name: \"").append(i).append("\"\n  containerEdits:\n    env:\n    - FAKE_GPU=").append(i)
                    .append("\n    deviceNodes:\n    - path: /dev/fake-gpu\n      hostPath: /dev/null\n");
        }
        Files.createDirectories(CDI_DIR);
        return Files.writeString(CDI_DIR.resolve(kind.replace('/', '-') + ".yaml"), yaml);
    }
}
