package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/** The operator's container policy reaches each task's container, as podman itself reports it. */
class ContainerPolicyIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void limitsHardeningAndDevicesAppearInTheTasksContainerAndAnAgentPastItsMemoryLimitIsReportedAsOutOfMemory()
            throws Exception {
        try (FakeOrchestrator orchestrator = FakeBackedRunner.fake().build().start();
                FakeBackedRunner runner = FakeBackedRunner.start(orchestrator, work, "policy-" + ProcessHandle.current().pid(),
                        Map.of("--memory", "64m", "--cpus", "0.5", "--pids-limit", "200", "--shm-size", "16m",
                                "--device", "/dev/null:/dev/task-null"),
                        Map.of())) {
            String id = orchestrator.createTask("sleep=5 exit=0");
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> !Podman.runningLabelled("victoria-runner.task=" + id).isEmpty());
            String container = Podman.runningLabelled("victoria-runner.task=" + id).get(0);

            String inspected = Podman.run("inspect", container, "--format",
                    "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.ShmSize}}"
                            + " {{.HostConfig.Init}} {{.HostConfig.SecurityOpt}} {{range .HostConfig.Devices}}{{.PathInContainer}}{{end}}")
                    .strip();
            assertThat(List.of(inspected.split(" "))).containsExactly("67108864", "500000000", "200", "16777216", "true",
                    "[no-new-privileges]", "/dev/task-null");
            assertThat(orchestrator.awaitState(id, TaskState.SUCCESS, WAIT).result()).isEqualTo("completed");

            String greedy = orchestrator.createTask("eat-memory=256 exit=0");
            TaskSnapshot done = orchestrator.awaitState(greedy, TaskState.ERROR, WAIT);
            assertThat(done.result()).startsWith("out of memory").contains("memory limit of 64m").contains("exit code 137");
        }
    }
}
