package com.elcanotek.victoria.runner.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.config.RunnerConfig;
import com.elcanotek.victoria.runner.config.TestConfigs;
import com.elcanotek.victoria.runner.container.ContainerPolicy;
import com.elcanotek.victoria.runner.container.ContainerRuntime;
import com.elcanotek.victoria.runner.container.LimitSupport;
import com.elcanotek.victoria.runner.container.PathLookup;
import com.elcanotek.victoria.runner.container.PodmanRuntime;
import com.elcanotek.victoria.runner.container.TestEngine;
import com.elcanotek.victoria.runner.doctor.Check.Result;
import com.elcanotek.victoria.runner.network.NetworkSettings;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The engine checks against the real podman, a podman that does not answer, and hosts described by files. */
class EngineChecksTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Places places(String path) {
        return new Places(dir.resolve("subuid"), dir.resolve("subgid"), dir.resolve("enforce"), List.of(dir.resolve("cdi")),
                new PathLookup(path));
    }

    private RunnerConfig config(String image, ContainerPolicy policy) {
        return TestConfigs.runnerConfig(URI.create("http://127.0.0.1:1"), "token", dir, image, policy, NetworkSettings.direct());
    }

    private EngineChecks checks(String path) {
        return new EngineChecks(places(path), "victoria-runner", 999);
    }

    @Test
    void theRealPodmanIsFoundAnswersAndHasTheImage() {
        ContainerRuntime podman = new PodmanRuntime(List.of("podman"), JSON);

        List<Check> checks = checks(System.getenv("PATH")).all(Optional.of(podman),
                config(TestEngine.IMAGE, ContainerPolicy.DEFAULT)).checks();

        assertThat(checks).extracting(Check::name).contains("found", "answers", "rootless", "limits", "selinux", "image",
                "registry auth");
        assertThat(checks).allSatisfy(check -> assertThat(check.result()).as(check.toString()).isEqualTo(Result.OK));
        assertThat(checks).filteredOn(check -> check.name().equals("image")).singleElement()
                .satisfies(check -> assertThat(check.why()).contains(TestEngine.IMAGE + " is present: "));
    }

    @Test
    void noEngineOnThePathFails() {
        List<Check> checks = checks(dir.toString()).all(Optional.empty(),
                config(TestEngine.IMAGE, ContainerPolicy.DEFAULT)).checks();

        assertThat(checks).singleElement().satisfies(check -> {
            assertThat(check.result()).isEqualTo(Result.FAIL);
            assertThat(check.why()).contains("no podman or docker on the PATH");
        });
    }

    @Test
    void anEngineThatDoesNotAnswerFailsWithItsWords() throws Exception {
        Path broken = Files.writeString(dir.resolve("podman"), "#!/bin/sh\necho 'Error: cannot open the storage' >&2\nexit 125\n");
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwx------"));

        List<Check> checks = checks(dir.toString()).all(Optional.of(new PodmanRuntime(List.of(broken.toString()), JSON)),
                config(TestEngine.IMAGE, ContainerPolicy.DEFAULT)).checks();

        assertThat(checks).extracting(Check::name, Check::result).containsExactly(
                tuple("found", Result.OK), tuple("answers", Result.FAIL));
        assertThat(checks.get(1).why()).contains("cannot open the storage");
    }

    @Test
    void aMissingImageIsPulledLaterUnlessPullingIsForbidden() {
        ContainerRuntime podman = new PodmanRuntime(List.of("podman"), JSON);
        String image = "localhost/victoria-doctor-never-built:none";

        assertThat(EngineChecks.image(podman, config(image, ContainerPolicy.DEFAULT)).result())
                .isEqualTo(Result.WARN);
        ContainerPolicy never = new ContainerPolicy(null, null, 0, null, true, true,
                ContainerPolicy.DEFAULT_CAPABILITIES, List.of(), null, 0, "never");
        assertThat(EngineChecks.image(podman, config(image, never)).result()).isEqualTo(Result.FAIL);
    }

    @Test
    void subordinateIdsOfTheUserAreCounted() throws Exception {
        Files.writeString(dir.resolve("subuid"), "other:100000:65536\nvictoria-runner:165536:65536\n");
        Files.writeString(dir.resolve("subgid"), "999:165536:1000\n");

        assertThat(checks("").subordinateIds("subuid", dir.resolve("subuid")).result()).isEqualTo(Result.OK);
        assertThat(checks("").subordinateIds("subgid", dir.resolve("subgid")).result()).isEqualTo(Result.WARN);
        Files.writeString(dir.resolve("subgid"), "other:100000:65536\n");
        Check none = checks("").subordinateIds("subgid", dir.resolve("subgid"));
        assertThat(none.result()).isEqualTo(Result.FAIL);
        assertThat(none.fix()).contains("usermod --add-subgids");
    }

    @Test
    void limitsTheHostCannotKeepAreNamed() {
        ContainerPolicy limited = new ContainerPolicy("8g", "2", 4096, null, true, true,
                ContainerPolicy.DEFAULT_CAPABILITIES, List.of(), null, 0, null);
        LimitSupport rootful = podman(false, "v1", "cgroupfs", "\"memory\", \"cpu\", \"pids\"");
        LimitSupport rootlessV1 = podman(true, "v1", "cgroupfs", "");
        LimitSupport rootlessV2WithoutSession = podman(true, "v2", "cgroupfs", "\"memory\", \"pids\"");
        LimitSupport rootlessV2Delegated = podman(true, "v2", "systemd", "\"memory\", \"pids\"");

        assertThat(EngineChecks.limits(limited, rootful).result()).isEqualTo(Result.OK);
        assertThat(EngineChecks.limits(limited, rootlessV1).why()).contains("--memory 8g", "--cpus 2", "--pids-limit 4096",
                "rootless podman sets no cgroup limits on cgroup v1");
        assertThat(EngineChecks.limits(limited, rootlessV2WithoutSession).why()).contains("loginctl enable-linger");
        Check delegated = EngineChecks.limits(limited, rootlessV2Delegated);
        assertThat(delegated.result()).isEqualTo(Result.WARN);
        assertThat(delegated.why()).contains("--cpus 2", "no cpu controller").doesNotContain("--memory");
        assertThat(EngineChecks.limits(new ContainerPolicy(null, null, 0, null, true, true,
                ContainerPolicy.DEFAULT_CAPABILITIES, List.of(), null, 0, null), rootlessV1).result()).isEqualTo(Result.OK);
    }

    /** What podman info says, as the daemon judges it. */
    private static LimitSupport podman(boolean rootless, String cgroupVersion, String manager, String controllers) {
        try {
            return LimitSupport.ofPodmanInfo(new ObjectMapper().readTree("""
                    {"host": {"cgroupManager": "%s", "cgroupVersion": "%s", "cgroupControllers": [%s],
                              "security": {"rootless": %s}}}""".formatted(manager, cgroupVersion, controllers, rootless)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void selinuxModeIsRead() throws Exception {
        assertThat(checks("").selinux().why()).isEqualTo("not enabled");
        Files.writeString(dir.resolve("enforce"), "1");
        assertThat(checks("").selinux().why()).startsWith("enforcing");
    }

    @Test
    void registryCredentialsMustBeReadable() throws Exception {
        assertThat(EngineChecks.registryAuth(null).result()).isEqualTo(Result.OK);
        assertThat(EngineChecks.registryAuth(Files.writeString(dir.resolve("auth.json"), "{}")).result()).isEqualTo(Result.OK);
        assertThat(EngineChecks.registryAuth(dir.resolve("missing.json")).result()).isEqualTo(Result.FAIL);
    }

    @Test
    void devicesAndCdiNamesMustBeThere() throws Exception {
        ContainerPolicy policy = new ContainerPolicy(null, null, 0, null, true, true,
                ContainerPolicy.DEFAULT_CAPABILITIES,
                List.of("/dev/null", "/dev/victoria-missing:/dev/x", "vendor.example/gpu=0"), "all", 0, null);

        List<Check> missing = checks("").devices("podman", policy);
        assertThat(missing).extracting(Check::result).containsExactly(Result.OK, Result.FAIL, Result.FAIL, Result.FAIL);
        assertThat(missing.get(3).why()).contains("nvidia.com/gpu=all");

        Files.createDirectories(dir.resolve("cdi"));
        Files.writeString(dir.resolve("cdi/vendor.yaml"), "cdiVersion: 0.5.0\nkind: vendor.example/gpu\ndevices:\n- name: 0\n");
        Files.writeString(dir.resolve("cdi/nvidia.json"), "{\"kind\": \"nvidia.com/gpu\", \"devices\": [{\"name\": \"all\"}]}");
        assertThat(checks("").devices("podman", policy)).extracting(Check::result)
                .containsExactly(Result.OK, Result.FAIL, Result.OK, Result.OK);

        Check docker = checks(dir.toString()).devices("docker", new ContainerPolicy(null, null, 0, null, true, true,
                ContainerPolicy.DEFAULT_CAPABILITIES, List.of(),
                "all", 0, null)).get(0);
        assertThat(docker.result()).isEqualTo(Result.FAIL);
        assertThat(docker.why()).contains("NVIDIA container toolkit");
    }
}
