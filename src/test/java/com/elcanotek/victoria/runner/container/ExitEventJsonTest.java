package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each CLI's event lines, as podman 4.3.1 and the docker CLI in front of its API print them. */
class ExitEventJsonTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final PodmanRuntime podman = new PodmanRuntime(List.of("podman"), mapper);
    private final DockerRuntime docker = new DockerRuntime(List.of("docker"), mapper);

    private Optional<ExitEvent> podman(String line) throws Exception {
        return podman.exitEvent(mapper.readTree(line));
    }

    private Optional<ExitEvent> docker(String line) throws Exception {
        return docker.exitEvent(mapper.readTree(line));
    }

    @Test
    void podmanDiedEventCarriesIdNameAndCode() throws Exception {
        assertThat(podman("""
                {"ContainerExitCode":3,"ID":"4e60","Image":"localhost/victoria-fake:test","Name":"victoria-1234",\
                "Status":"died","Time":"2026-11-27T07:32:20.515281312Z","Type":"container",\
                "Attributes":{"victoria-runner.runner":"r"}}"""))
                .contains(new ExitEvent("4e60", "victoria-1234", 3));
    }

    @Test
    void podmanLeavesOutAZeroCode() throws Exception {
        assertThat(podman("""
                {"ID":"e59b","Name":"victoria-1234","Status":"died","Type":"container"}"""))
                .contains(new ExitEvent("e59b", "victoria-1234", 0));
    }

    @Test
    void podmanEventsOtherThanDiedAreNoExits() throws Exception {
        assertThat(podman("""
                {"ID":"e59b","Name":"victoria-1234","Status":"start","Type":"container"}""")).isEmpty();
    }

    @Test
    void dockerDieEventCarriesIdNameAndCodeAsText() throws Exception {
        assertThat(docker("""
                {"status":"die","id":"352f","from":"localhost/victoria-fake:test","Type":"container","Action":"die",\
                "Actor":{"ID":"352f","Attributes":{"containerExitCode":"6","exitCode":"6","name":"victoria-1234"}},\
                "scope":"local","time":1795765073,"timeNano":1795765073086298840}"""))
                .contains(new ExitEvent("352f", "victoria-1234", 6));
    }

    @Test
    void dockerEventsOtherThanDieAreNoExits() throws Exception {
        assertThat(docker("""
                {"status":"cleanup","id":"352f","Type":"container","Action":"cleanup",\
                "Actor":{"ID":"352f","Attributes":{"containerExitCode":"0","name":"victoria-1234"}}}""")).isEmpty();
    }
}
