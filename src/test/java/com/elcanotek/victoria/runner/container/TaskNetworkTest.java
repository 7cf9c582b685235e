package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.driver.Launch;
import com.elcanotek.victoria.runner.network.ProxySettings;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.elcanotek.victoria.runner.state.Layout;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Task containers get the runner's proxy and, when asked, its authorities, with podman and with the docker CLI (here
 * against podman's Docker API, which like a Docker engine passes no proxy variable of its own): the variables arrive
 * through env files, never an argv (each CLI call's argv is recorded by a wrapper), the bundle is mounted read-only,
 * and an operator's env file may give the agent another proxy.
 */
class TaskNetworkTest {

    private static final String SECRET = "pr0xy-S3CRET";
    private static final String PROXY = "http://agent:" + SECRET + "@proxy.corp.example:3128";

    private final String runner = "network-test-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @AfterEach
    void removeContainers() throws Exception {
        String ids = podman("ps", "-a", "-q", "--filter", "label=" + ContainerSpec.LABEL_RUNNER + "=" + runner).strip();
        if (!ids.isEmpty()) {
            for (String id : ids.split("\\s+")) {
                podman("rm", "-f", "-t", "0", id);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "podman", "docker" })
    void proxyVariablesAndTheBundleReachTheAgentAndNoArgv(String engine) throws Exception {
        Path calls = dir.resolve("calls.log");
        ContainerRuntime runtime = runtime(engine, calls);
        Path bundle = Files.writeString(dir.resolve("ca-bundle.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        ProxySettings proxies = ProxySettings.resolve(PROXY, "localhost,.corp.example", Map.of());
        ContainerSupervisor supervisor = supervisor(runtime, new TaskNetwork(proxies.environment(), bundle), null);

        String container = supervisor.start(new Launch(task("sleep=30"), "node", "key", URI.create("http://orchestrator"), false, List.of()));

        String env = podman("exec", container, "env");
        assertThat(env).contains("HTTPS_PROXY=" + PROXY, "https_proxy=" + PROXY, "HTTP_PROXY=" + PROXY,
                "NO_PROXY=localhost,.corp.example", "no_proxy=localhost,.corp.example",
                "SSL_CERT_FILE=" + TaskNetwork.CA_BUNDLE_IN_CONTAINER, "REQUESTS_CA_BUNDLE=" + TaskNetwork.CA_BUNDLE_IN_CONTAINER,
                "NODE_EXTRA_CA_CERTS=" + TaskNetwork.CA_BUNDLE_IN_CONTAINER);
        assertThat(podman("exec", container, "cat", TaskNetwork.CA_BUNDLE_IN_CONTAINER)).isEqualTo(Files.readString(bundle));
        assertThat(podman("exec", container, "sh", "-c", "echo x >> " + TaskNetwork.CA_BUNDLE_IN_CONTAINER + " && echo written"))
                .doesNotContain("written").containsIgnoringCase("read-only");
        assertThat(Files.readString(calls)).contains(" run -d ").doesNotContain(SECRET);
        try (var left = Files.list(dir.resolve("state").resolve("env"))) {
            assertThat(left).as("env files outlive the start").isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "podman", "docker" })
    void anOperatorEnvFileMayGiveTheAgentAnotherProxy(String engine) throws Exception {
        ContainerRuntime runtime = runtime(engine, dir.resolve("calls.log"));
        Path operator = Files.writeString(dir.resolve("operator.env"), "HTTPS_PROXY=http://agent-proxy:8080\n");
        ContainerSupervisor supervisor = supervisor(runtime,
                new TaskNetwork(ProxySettings.resolve(PROXY, null, Map.of()).environment(), null), operator);

        String container = supervisor.start(new Launch(task("sleep=30"), "node", "key", URI.create("http://orchestrator"), false, List.of()));

        String env = podman("exec", container, "env");
        assertThat(env).contains("HTTPS_PROXY=http://agent-proxy:8080", "https_proxy=" + PROXY, "TASK_ID=")
                .doesNotContain("SSL_CERT_FILE");
    }

    /** The CLI behind a wrapper that records each argv and the proxy variables of its environment. */
    private ContainerRuntime runtime(String engine, Path calls) throws IOException {
        Path wrapper = dir.resolve(engine + "-wrapper");
        String real = engine.equals("podman") ? TestEngine.podman().toString()
                : TestEngine.docker() + " -H " + TestEngine.SOCKET;
        Files.writeString(wrapper, "#!/bin/sh\necho \"" + engine + " $*\" >> '" + calls + "'\nexec " + real + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        ObjectMapper json = new ObjectMapper();
        return engine.equals("podman") ? new PodmanRuntime(List.of(wrapper.toString()), json)
                : new DockerRuntime(List.of(wrapper.toString()), json);
    }

    private ContainerSupervisor supervisor(ContainerRuntime runtime, TaskNetwork network, Path operatorEnvFile) {
        ContainerSupervisor.Settings settings = new ContainerSupervisor.Settings(TestEngine.IMAGE,
                new Layout(dir.resolve("state"), dir.resolve("Victoria")), operatorEnvFile, runner, Duration.ofSeconds(1),
                ContainerPolicy.DEFAULT, network);
        return new ContainerSupervisor(runtime, null, LimitSupport.unknown("not asked"), new SecretMasker(), settings);
    }

    private static TaskAssignment task(String prompt) {
        return new TaskAssignment(UUID.randomUUID().toString(), prompt, "", null, null, null);
    }

    private static String podman(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return out;
    }
}
