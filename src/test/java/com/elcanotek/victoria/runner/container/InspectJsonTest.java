package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InspectJsonTest {

    private final InspectJson json = new InspectJson(new ObjectMapper());

    private ContainerInfo only(String text) {
        List<ContainerInfo> containers = json.parse(text).orElseThrow();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    @Test
    void readsAnExitedDockerContainer() {
        ContainerInfo c = only("""
                [{"Id":"abc","Name":"/victoria-1","State":{"Status":"exited","ExitCode":3,
                  "StartedAt":"2026-11-27T05:09:53.159613624Z","FinishedAt":"2026-11-27T05:09:54.5+01:00"},
                  "Config":{"Entrypoint":["/usr/local/bin/fake-victoria"],"Labels":{"a":"1","b":"x,y=z"}}}]
                """);

        assertThat(c).isEqualTo(new ContainerInfo("abc", "victoria-1", ContainerState.EXITED, 3,
                Instant.parse("2026-11-27T05:09:53.159613624Z"), Instant.parse("2026-11-27T04:09:54.5Z"),
                java.util.Map.of("a", "1", "b", "x,y=z"), false, null));
    }

    @Test
    void runningPodmanContainerHasNoExitCodeNorFinish() {
        ContainerInfo c = only("""
                [{"Id":"abc","Name":"victoria-1","State":{"Status":"running","ExitCode":0,
                  "StartedAt":"2026-11-27T05:09:53Z","FinishedAt":"0001-01-01T00:00:00Z"},
                  "Config":{"Entrypoint":"/usr/local/bin/fake-victoria","Labels":null}}]
                """);

        assertThat(c.state()).isEqualTo(ContainerState.RUNNING);
        assertThat(c.exitCode()).isNull();
        assertThat(c.finishedAt()).isNull();
        assertThat(c.labels()).isEmpty();
    }

    @Test
    void createdAfterRebootWithExitCodeZeroIsNoSuccess() {
        ContainerInfo c = only("""
                [{"Id":"abc","Name":"v","State":{"Status":"created","ExitCode":0,
                  "StartedAt":"0001-01-01T00:00:00Z","FinishedAt":"0001-01-01T00:00:00Z"}}]
                """);

        assertThat(c.state()).isEqualTo(ContainerState.CREATED);
        assertThat(c.exitCode()).isNull();
        assertThat(c.startedAt()).isNull();
    }

    @Test
    void notAnArrayIsNoAnswer() {
        assertThat(json.parse("")).isEmpty();
        assertThat(json.parse("Error: boom")).isEmpty();
        assertThat(json.parse("{}")).isEmpty();
        assertThat(json.parse("[]")).contains(List.of());
    }

    @Test
    void statusWordsOfBothEngines() {
        assertThat(ContainerState.of("configured")).isEqualTo(ContainerState.CREATED);
        assertThat(ContainerState.of("paused")).isEqualTo(ContainerState.RUNNING);
        assertThat(ContainerState.of("stopping")).isEqualTo(ContainerState.RUNNING);
        assertThat(ContainerState.of("restarting")).isEqualTo(ContainerState.RUNNING);
        assertThat(ContainerState.of("stopped")).isEqualTo(ContainerState.EXITED);
        assertThat(ContainerState.of("Exited")).isEqualTo(ContainerState.EXITED);
        assertThat(ContainerState.of("dead")).isEqualTo(ContainerState.OTHER);
        assertThat(ContainerState.of("removing")).isEqualTo(ContainerState.OTHER);
        assertThat(ContainerState.of(null)).isEqualTo(ContainerState.OTHER);
    }
}
