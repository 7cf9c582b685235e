package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.elcanotek.victoria.runner.state.Layout;
import com.elcanotek.victoria.runner.driver.Launch;
import com.elcanotek.victoria.runner.driver.StartFailed;

/**
 * The engine calls between a claim and its container: a start asks the engine nothing before {@code run -d}; only
 * a failed one looks for a container of the same name that is not running, removes it and starts once more.
 */
class ContainerSupervisorStartTest {

    private static final TaskAssignment TASK = new TaskAssignment("0123abcd-0000-4000-8000-000000000000", "exit=0", "",
            null, null, null);

    @TempDir
    Path dir;

    @Test
    void aStartCallsTheEngineOnce() {
        RecordingRuntime runtime = new RecordingRuntime();

        supervisor(runtime).start(launch(TASK));

        assertThat(runtime.calls).containsExactly("start victoria-0123abcd");
    }

    @Test
    void aFailedStartRemovesAFinishedContainerOfTheSameNameAndStartsAgain() {
        RecordingRuntime runtime = new RecordingRuntime();
        runtime.failStarts = 1;
        runtime.existing = ContainerState.EXITED;

        String id = supervisor(runtime).start(launch(TASK));

        String name = "victoria-0123abcd";
        assertThat(runtime.calls).containsExactly("start " + name, "inspect " + name, "remove " + name, "start " + name);
        assertThat(id).as("the container is addressed by the id run printed, not its name").isEqualTo("0".repeat(64));
    }

    @Test
    void aFailedStartWithARunningContainerOfTheSameNameFailsLeavingItAlone() {
        RecordingRuntime runtime = new RecordingRuntime();
        runtime.failStarts = 1;
        runtime.existing = ContainerState.RUNNING;
        ContainerSupervisor supervisor = supervisor(runtime);

        assertThatThrownBy(() -> supervisor.start(launch(TASK)))
                .isInstanceOf(StartFailed.class).hasMessageContaining("the name is in use");
        assertThat(runtime.calls).hasSize(2).allMatch(call -> call.startsWith("start ") || call.startsWith("inspect "));
    }

    @Test
    void aFailedStartWithoutAContainerOfTheSameNameFailsWithTheEnginesWords() {
        RecordingRuntime runtime = new RecordingRuntime();
        runtime.failStarts = 1;
        ContainerSupervisor supervisor = supervisor(runtime);

        assertThatThrownBy(() -> supervisor.start(launch(TASK)))
                .isInstanceOf(StartFailed.class).hasMessageContaining("the name is in use");
        assertThat(runtime.calls).hasSize(2);
    }

    @Test
    void aPromptNoArgumentCanCarryFailsAsTheTasksFaultBeforeAnyEngineCall() {
        RecordingRuntime runtime = new RecordingRuntime();
        TaskAssignment nul = new TaskAssignment(TASK.taskId(), "exit=0\0", "", null, null, null);

        assertThatThrownBy(() -> supervisor(runtime).start(launch(nul)))
                .isInstanceOfSatisfying(StartFailed.class, failure -> assertThat(failure.isOfHost()).isFalse())
                .hasMessageStartingWith("the prompt holds a NUL character (at character 6)");
        assertThat(runtime.calls).isEmpty();
    }

    @Test
    void aStartThatFailsForGoodRemovesTheContainerItsTriesLeftCreated() {
        RecordingRuntime runtime = new RecordingRuntime();
        runtime.failStarts = 2;
        runtime.failedStartCreates = true;
        ContainerSupervisor supervisor = supervisor(runtime);

        assertThatThrownBy(() -> supervisor.start(launch(TASK)))
                .isInstanceOf(StartFailed.class).hasMessageContaining("the name is in use");
        assertThat(runtime.calls).filteredOn(call -> call.startsWith("remove ")).hasSize(2);
        assertThat(runtime.existing).as("what the last try created").isNull();
    }

    /**
     * The task's folder and its session folder are emptied and made before the container mounts them: a link planted
     * there (by an earlier run's agent, or a container of a runner that mounted every task's folder) is refused or
     * removed as a link, and nothing where it points is deleted.
     */
    @Test
    void aLinkPlantedAsTheTaskOrSessionFolderIsNeverFollowedWhenTheFolderIsPrepared(@TempDir Path outside)
            throws Exception {
        Path precious = Files.writeString(Files.createDirectories(outside.resolve(".crush")).resolve("crush.db"), "keep me");
        Layout layout = layout();
        Path taskFolder = layout.taskFolder(TASK.taskId());
        Files.createDirectories(taskFolder.getParent());
        Files.createSymbolicLink(taskFolder, outside);
        RecordingRuntime runtime = new RecordingRuntime();

        assertThatThrownBy(() -> supervisor(runtime).start(launch(TASK))).isInstanceOf(StartFailed.class)
                .hasMessageContaining(taskFolder.toString()).hasMessageContaining("symbolic link");
        assertThat(runtime.calls).isEmpty();
        assertThat(precious).hasContent("keep me");

        Files.delete(taskFolder);
        Files.createDirectories(taskFolder);
        Files.createSymbolicLink(layout.sessionDir(TASK.taskId()), outside.resolve(".crush"));

        supervisor(runtime).start(launch(TASK));

        assertThat(precious).hasContent("keep me");
        assertThat(layout.sessionDir(TASK.taskId())).isDirectory().isEmptyDirectory();
        assertThat(Files.isSymbolicLink(layout.sessionDir(TASK.taskId()))).isFalse();
    }

    private Layout layout() {
        return new Layout(dir.resolve("state"), dir.resolve("Victoria"));
    }

    private ContainerSupervisor supervisor(ContainerRuntime runtime) {
        ContainerSupervisor.Settings settings = new ContainerSupervisor.Settings("localhost/victoria-fake:test",
                layout(), null, "runner", Duration.ofSeconds(1), ContainerPolicy.DEFAULT, TaskNetwork.NONE);
        return new ContainerSupervisor(runtime, null, LimitSupport.unknown("not asked"), new SecretMasker(), settings);
    }

    private static Launch launch(TaskAssignment task) {
        return new Launch(task, "node", "key", URI.create("http://orchestrator"), false, List.of());
    }

    /** Records the calls a start makes; the rest is never called by one. */
    private static final class RecordingRuntime implements ContainerRuntime {
        final List<String> calls = new ArrayList<>();
        int failStarts;
        /** As podman does when the OCI runtime refuses to start what it created. */
        boolean failedStartCreates;
        ContainerState existing;

        @Override
        public String start(ContainerSpec spec) {
            calls.add("start " + spec.name());
            if (failStarts-- > 0) {
                if (failedStartCreates) {
                    existing = ContainerState.CREATED;
                }
                throw new ContainerException("the name is in use", 125);
            }
            existing = ContainerState.RUNNING;
            return "0".repeat(64);
        }

        @Override
        public Optional<ContainerInfo> inspect(String nameOrId) {
            calls.add("inspect " + nameOrId);
            return Optional.ofNullable(existing).map(state -> new ContainerInfo("0".repeat(64), nameOrId, state,
                    state == ContainerState.EXITED ? 0 : null, null, null, Map.of(), false, null));
        }

        @Override
        public void logs(String nameOrId, int lastLines, boolean follow, OutputStream sink) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void remove(String nameOrId) {
            calls.add("remove " + nameOrId);
            existing = null;
        }

        @Override
        public String name() {
            return "podman";
        }

        @Override
        public String version() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ExitEventStream exitEvents(Map<String, String> labels, Instant since) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void stop(String nameOrId, Duration grace) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ContainerInfo> list(Map<String, String> labels) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<String> runningIds(Map<String, String> labels) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String ping() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<ImageInfo> images() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeImage(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void pull(String image, Consumer<String> progress) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<String> imageId(String image) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int endLeftoverExitEvents(Map<String, String> labels) {
            throw new UnsupportedOperationException();
        }
    }
}
