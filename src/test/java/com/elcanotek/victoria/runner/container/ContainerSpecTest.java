package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.state.Layout;

class ContainerSpecTest {

    private static final String TASK_ID = "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0";

    private static ContainerSpec task(String prompt) {
        return ContainerSpec.forTask(TASK_ID, prompt, "ghcr.io/elcanotek/victoria-terminal:latest",
                new Layout(Path.of("/state"), Path.of("/home/v/Victoria")), List.of(Path.of("/state/task.env"), Path.of("/etc/operator.env")),
                "node-7", "runner-a", ContainerPolicy.DEFAULT);
    }

    private static Layout layout(Path home) {
        return new Layout(Path.of("/state"), home);
    }

    private static final Engine PODMAN = new Engine(Engine.Kind.PODMAN, "4.3.1");
    private static final Engine PODMAN_5 = new Engine(Engine.Kind.PODMAN, "5.0.0");
    private static final Engine DOCKER = new Engine(Engine.Kind.DOCKER, "20.10.24");

    @Test
    void forTaskFollowsTheProtocol() {
        ContainerSpec spec = task("summarise the report");

        assertThat(spec.runArguments(PODMAN, ContainerPolicy.Dialect.PODMAN)).containsExactly(
                "run", "-d", "--name", "victoria-0f1e2d3c",
                "--pids-limit", "4096", "--init", "--security-opt", "no-new-privileges",
                "--cap-drop", "ALL", "--cap-add", "CHOWN", "--cap-add", "DAC_OVERRIDE", "--cap-add", "FOWNER",
                "--cap-add", "KILL", "--cap-add", "SETGID", "--cap-add", "SETUID",
                "--label", "victoria-runner.node=node-7",
                "--label", "victoria-runner.runner=runner-a",
                "--label", "victoria-runner.task=" + TASK_ID,
                "-v", "/home/v/Victoria:/workspace/Victoria:z",
                "-v", "/home/v/Victoria/tasks/0f1e2d3c/.crush:/workspace/Victoria/.crush:Z",
                "-v", "/home/v/Victoria/tasks/0f1e2d3c:/workspace/Victoria/tasks/0f1e2d3c:Z",
                "--tmpfs", "/workspace/Victoria/tasks:size=1m,mode=0755,notmpcopyup",
                "--env-file", "/state/task.env",
                "--env-file", "/etc/operator.env",
                "ghcr.io/elcanotek/victoria-terminal:latest",
                "--accept-license", "--task", "summarise the report");
    }

    /**
     * Each task sees its own folder alone: the home's tasks/ is masked by an empty tmpfs, its own folder mounted on
     * it. Podman (also behind its Docker API) would fill the tmpfs with a copy of every task's folder without
     * notmpcopyup, which docker refuses; docker's tmpfs starts empty.
     */
    @Test
    void theHomesTaskFoldersAreMaskedAndTheTasksOwnIsMountedAtItsUsualPlaceWithTheCopyUpOffWherePodmanRunsThem() {
        ContainerSpec spec = task("p");

        List<String> podman = spec.runArguments(PODMAN, ContainerPolicy.Dialect.PODMAN);
        List<String> dockerCliOnPodman = spec.runArguments(PODMAN, ContainerPolicy.Dialect.DOCKER);
        List<String> docker = spec.runArguments(DOCKER, ContainerPolicy.Dialect.DOCKER);

        assertThat(podman).containsSequence("--tmpfs", "/workspace/Victoria/tasks:size=1m,mode=0755,notmpcopyup");
        assertThat(dockerCliOnPodman).containsSequence("--tmpfs", "/workspace/Victoria/tasks:size=1m,mode=0755,notmpcopyup");
        assertThat(docker).containsSequence("--tmpfs", "/workspace/Victoria/tasks:size=1m,mode=0755");
        for (List<String> argv : List.of(podman, docker)) {
            assertThat(volumeOptions(argv)).containsExactly("/home/v/Victoria:/workspace/Victoria:z",
                    "/home/v/Victoria/tasks/0f1e2d3c/.crush:/workspace/Victoria/.crush:Z",
                    "/home/v/Victoria/tasks/0f1e2d3c:/workspace/Victoria/tasks/0f1e2d3c:Z");
        }
    }

    /**
     * SELinux: a private label ({@code :Z}) on a folder another container mounts takes that container's access away.
     * Two tasks at once share the Victoria home, so it gets the shared label; each keeps its own folders private.
     */
    @Test
    void concurrentTasksMountNothingPrivatelyThatTheOtherMounts() {
        Layout home = layout(Path.of("/home/v/Victoria"));
        ContainerSpec first = ContainerSpec.forTask("task-0001", "p", "img", home, List.of(), "n", "r", ContainerPolicy.DEFAULT);
        ContainerSpec second = ContainerSpec.forTask("task-0002", "p", "img", home, List.of(), "n", "r", ContainerPolicy.DEFAULT);

        for (ContainerSpec one : List.of(first, second)) {
            ContainerSpec other = one == first ? second : first;
            List<String> mounts = volumeOptions(one.runArguments(PODMAN, ContainerPolicy.Dialect.PODMAN));
            assertThat(mounts).contains("/home/v/Victoria:/workspace/Victoria:z");
            for (String mount : mounts.stream().filter(m -> m.endsWith(":Z")).toList()) {
                Path host = Path.of(mount.substring(0, mount.indexOf(':')));
                assertThat(other.mounts()).extracting(Mount::host).as(mount)
                        .noneMatch(path -> path.equals(host) || path.startsWith(host));
            }
        }
        assertThat(volumeOptions(first.runArguments(PODMAN, ContainerPolicy.Dialect.PODMAN)))
                .contains("/home/v/Victoria/tasks/task-0001/.crush:/workspace/Victoria/.crush:Z");
    }

    /** The values of every {@code -v}. */
    private static List<String> volumeOptions(List<String> argv) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i + 1 < argv.size(); i++) {
            if (argv.get(i).equals("-v")) {
                values.add(argv.get(i + 1));
            }
        }
        return values;
    }

    @Test
    void theHostProbesContainerStartsAsATaskDoesButRunsOnlyTrueUnderItsOwnLabel() {
        ContainerPolicy policy = new ContainerPolicy("8g", null, 4096, null, true, true,
                ContainerPolicy.DEFAULT_CAPABILITIES, List.of("/dev/fuse"), null, 0, null);
        ContainerSpec spec = ContainerSpec.forProbe("ghcr.io/elcanotek/victoria-terminal:latest", layout(Path.of("/home/v/Victoria")),
                Path.of("/etc/operator.env"), "runner-a", policy);

        List<String> argv = spec.runArguments(PODMAN_5, ContainerPolicy.Dialect.PODMAN);

        assertThat(spec.name()).matches("victoria-probe-[0-9a-f]{8}");
        assertThat(argv.subList(4, argv.size())).containsExactly(
                "--memory", "8g", "--pids-limit", "4096", "--init", "--security-opt", "no-new-privileges",
                "--cap-drop", "ALL", "--cap-add", "CHOWN", "--cap-add", "DAC_OVERRIDE", "--cap-add", "FOWNER",
                "--cap-add", "KILL", "--cap-add", "SETGID", "--cap-add", "SETUID",
                "--device", "/dev/fuse",
                "--label", "victoria-runner.probe=runner-a",
                "-v", "/home/v/Victoria/tasks/.host-probe:/workspace/Victoria:Z",
                "--env-file", "/etc/operator.env",
                "--add-host", "host.containers.internal:host-gateway",
                "--entrypoint", "true",
                "ghcr.io/elcanotek/victoria-terminal:latest");
        assertThat(spec.labels()).doesNotContainKeys(ContainerSpec.LABEL_RUNNER, ContainerSpec.LABEL_TASK);
    }

    @Test
    void thePolicyBecomesTheSameOptionsForBothEnginesButGpus() {
        ContainerPolicy policy = new ContainerPolicy("8g", "2.5", 0, "1g", false, false, List.of("SYS_PTRACE"),
                List.of("/dev/fuse", "nvidia.com/gpu=0"), "all", 0, "newer");
        ContainerSpec spec = ContainerSpec.forTask(TASK_ID, "p", "img", layout(Path.of("/h")), List.of(), "n", "r", policy);

        List<String> podman = spec.runArguments(PODMAN, ContainerPolicy.Dialect.PODMAN);
        List<String> docker = spec.runArguments(DOCKER, ContainerPolicy.Dialect.DOCKER);

        assertThat(podman.subList(4, 20)).containsExactly("--memory", "8g", "--cpus", "2.5", "--shm-size", "1g",
                "--cap-drop", "ALL", "--cap-add", "SYS_PTRACE",
                "--device", "/dev/fuse", "--device", "nvidia.com/gpu=0", "--device", "nvidia.com/gpu=all");
        assertThat(docker.subList(4, 20)).containsExactly("--memory", "8g", "--cpus", "2.5", "--shm-size", "1g",
                "--cap-drop", "ALL", "--cap-add", "SYS_PTRACE",
                "--device", "/dev/fuse", "--device", "nvidia.com/gpu=0", "--gpus", "all");
        assertThat(podman).doesNotContain("--init", "--pids-limit", "--security-opt").contains("--pull=newer");
        // docker has no "newer": "always" asks the registry each time too and fetches only what changed
        assertThat(docker).contains("--pull=always");
    }

    @Test
    void promptStaysOneArgumentWhateverItHolds() {
        String prompt = "-rf \"quoted\" 'single'\n$(touch /tmp/x) `id` ; | &&\n";

        List<String> argv = task(prompt).runArguments(PODMAN, ContainerPolicy.Dialect.PODMAN);

        assertThat(argv.subList(argv.size() - 3, argv.size())).containsExactly("--accept-license", "--task", prompt);
    }

    @Test
    void hostGatewayOnlyWhereTheEngineSupportsIt() {
        ContainerSpec spec = task("p");

        assertThat(spec.runArguments(PODMAN, ContainerPolicy.Dialect.PODMAN)).doesNotContain("--add-host");
        List<String> argv = spec.runArguments(PODMAN_5, ContainerPolicy.Dialect.PODMAN);
        int at = argv.indexOf("--add-host");
        assertThat(argv.get(at + 1)).isEqualTo("host.containers.internal:host-gateway");
        assertThat(at).isLessThan(argv.indexOf("ghcr.io/elcanotek/victoria-terminal:latest"));
    }

    @Test
    void secretsInEnvFilesNeverReachTheArgv() {
        assertThat(String.join("\0", task("p").runArguments(PODMAN_5, ContainerPolicy.Dialect.PODMAN)))
                .doesNotContain("NODE_API_KEY").doesNotContain("TASK_ID=");
    }

    @Test
    void shortTaskIdIsUsedWhole() {
        ContainerSpec spec = ContainerSpec.forTask("abc", "p", "img", layout(Path.of("/h")), List.of(), "n", "r", ContainerPolicy.DEFAULT);

        assertThat(spec.name()).isEqualTo("victoria-abc");
        assertThat(spec.labels()).containsEntry(ContainerSpec.LABEL_TASK, "abc");
    }

    @Test
    void relativeHomeIsMadeAbsolute() {
        ContainerSpec spec = ContainerSpec.forTask("abc", "p", "img", layout(Path.of("rel/home")), List.of(), "n", "r", ContainerPolicy.DEFAULT);

        assertThat(spec.mounts()).extracting(Mount::host).containsExactlyInAnyOrder(Path.of("rel/home").toAbsolutePath(),
                Path.of("rel/home/tasks/abc").toAbsolutePath(), Path.of("rel/home/tasks/abc/.crush").toAbsolutePath());
    }

    @Test
    void tasksWhoseIdsShareTheirStartNeverShareAContainerNameOrAFolder() {
        Layout home = layout(Path.of("/h"));
        ContainerSpec first = ContainerSpec.forTask("task-0001", "p", "img", home, List.of(), "n", "r", ContainerPolicy.DEFAULT);
        ContainerSpec second = ContainerSpec.forTask("task-0002", "p", "img", home, List.of(), "n", "r", ContainerPolicy.DEFAULT);

        assertThat(first.name()).isEqualTo("victoria-task-0001");
        assertThat(second.name()).isEqualTo("victoria-task-0002");
        assertThat(home.sessionDir("task-0001")).isNotEqualTo(home.sessionDir("task-0002"));
        // a random uuid's first eight hex digits are as good as the whole
        assertThat(TASK_ID.charAt(14)).isEqualTo('4');
        assertThat(home.sessionDir(TASK_ID)).isEqualTo(Path.of("/h/tasks/0f1e2d3c/.crush"));
    }

    @Test
    void uuidsThatStartWithTheirCreationTimeOrAreMadeByHandAreUsedWhole() {
        Layout home = layout(Path.of("/h"));
        // version 7: the first 48 bits are the creation time in ms, the same for tasks made in the same minute
        List<String> ids = List.of("019ad1c2-7b10-7a3e-9f21-5c0d8e4b6a17", "019ad1c2-9e44-7c01-8d3a-0b7e2f915c42",
                "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002");
        List<String> names = ids.stream().map(id -> ContainerSpec.forTask(id, "p", "img", home, List.of(), "n", "r",
                ContainerPolicy.DEFAULT).name()).toList();

        assertThat(names).containsExactly("victoria-" + ids.get(0), "victoria-" + ids.get(1), "victoria-" + ids.get(2),
                "victoria-" + ids.get(3));
        assertThat(ids.stream().map(id -> home.sessionDir(id))).doesNotHaveDuplicates();
    }

    @Test
    void rejectsWhatWouldBeMisreadOnTheCommandLine() {
        Layout home = layout(Path.of("/h"));
        assertThatThrownBy(() -> ContainerSpec.forTask("../x", "p", "img", home, List.of(), "n", "r", ContainerPolicy.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> ContainerSpec.forTask(" ", "p", "img", home, List.of(), "n", "r", ContainerPolicy.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContainerSpec.forTask("abc", "p", "--privileged", home, List.of(), "n", "r", ContainerPolicy.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image");
        assertThatThrownBy(() -> ContainerSpec.forTask("abc", "p", "img", layout(Path.of("/a:b")), List.of(), "n", "r", ContainerPolicy.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host path");
        assertThatThrownBy(() -> Mount.shared(Path.of("/h"), "rel")).hasMessageContaining("container path");
        assertThatThrownBy(() -> new ContainerSpec("n", "img", List.of(), List.of(), List.of("/a,b"), List.of(),
                Map.of(), false, ContainerPolicy.DEFAULT, null)).hasMessageContaining("container path");
        assertThatThrownBy(() -> new ContainerSpec("n", "img", List.of(), List.of(), List.of(), List.of(),
                Map.of("a=b", "c"), false, ContainerPolicy.DEFAULT, null)).hasMessageContaining("label key");
    }

    @Test
    void isImmutable() {
        ContainerSpec spec = task("p");

        assertThatThrownBy(() -> spec.args().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.labels().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.mounts().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.envFiles().clear()).isInstanceOf(UnsupportedOperationException.class);
    }
}
