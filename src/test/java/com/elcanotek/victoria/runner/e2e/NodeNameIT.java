package com.elcanotek.victoria.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.NodeSnapshot;
import com.elcanotek.victoria.runner.packaging.Commands;

/**
 * The node's default name on a host whose name is its own: the runner runs in a UTS namespace of the test's own
 * ({@code unshare --uts}, root), whose host name no DNS and no {@code /etc/hosts} knows, as on a host whose name does
 * not resolve.
 */
class NodeNameIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    FakeOrchestrator orchestrator;

    @BeforeEach
    void start() {
        Commands.require("root".equals(System.getProperty("user.name")) && Commands.onPath("unshare"),
                "NodeNameIT gives the runner a host name of its own with unshare --uts, which needs root");
        Podman.ensureTestImage();
        orchestrator = FakeBackedRunner.fake().build().start();
    }

    @AfterEach
    void stop() {
        if (orchestrator != null) {
            orchestrator.close();
        }
    }

    @Test
    void withoutANameTheNodeIsNamedAsTheKernelNamesTheHostWhichNoDnsKnows() throws Exception {
        String host = "vr-uts-" + System.nanoTime();
        try (RunnerProcess runner = runnerOnHost(host)) {
            Awaitility.await().atMost(WAIT).until(() -> !orchestrator.nodes().isEmpty());

            NodeSnapshot node = orchestrator.nodes().get(0);
            assertThat(node.name()).isEqualTo(host);
            assertThat(node.hostname()).isEqualTo(host);
            assertThat(orchestrator.nodes()).hasSize(1);
        }
    }

    @Test
    void aHostNamedLocalhostRefusesToStartWithoutANameSayingSoInOneLine() throws Exception {
        try (RunnerProcess runner = runnerOnHost("localhost")) {
            assertThat(runner.waitFor(WAIT)).isEqualTo(2);

            assertThat(runner.output().lines().filter(line -> line.contains("'--name'")))
                    .singleElement().asString().contains("'localhost'", "/proc/sys/kernel/hostname");
            assertThat(orchestrator.nodes()).isEmpty();
        }
    }

    /** A runner without --name in a UTS namespace whose host name is {@code host}. */
    private RunnerProcess runnerOnHost(String host) throws Exception {
        List<String> args = new ArrayList<>();
        FakeBackedRunner.options(orchestrator, work, "unused", Map.of()).forEach((option, value) -> {
            if (!option.equals("--name")) {
                args.addAll(List.of(option, value));
            }
        });
        return RunnerProcess.start(work, List.of("unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec \"$@\"", host),
                Launcher.standard(), args, Map.of("VICTORIA_RUNNER_REGISTRATION_TOKEN", FakeBackedRunner.TOKEN));
    }
}
