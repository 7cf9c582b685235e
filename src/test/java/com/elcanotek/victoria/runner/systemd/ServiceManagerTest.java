package com.elcanotek.victoria.runner.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import com.elcanotek.victoria.runner.health.RunnerView;

/** sd_notify over a real AF_UNIX datagram socket that this test binds, as systemd does. */
class ServiceManagerTest {

    @TempDir
    Path dir;

    AFUNIXDatagramSocket systemd;
    Path socketPath;
    final TestView view = new TestView();

    @BeforeEach
    void bind() throws IOException {
        socketPath = dir.resolve("notify");
        systemd = AFUNIXDatagramSocket.newInstance();
        systemd.bind(AFUNIXSocketAddress.of(socketPath));
        systemd.setSoTimeout(300);
    }

    @AfterEach
    void close() throws IOException {
        systemd.close();
    }

    @Test
    void readyCarriesTheStatusLineAndStoppingFollows() throws IOException {
        view.nodeId = Optional.of("node-7");
        view.tasksHeld = 2;
        view.lastContact = Optional.of(Instant.now().minusSeconds(3));
        try (ServiceManager manager = ServiceManager.fromEnvironment(Map.of("NOTIFY_SOCKET", socketPath.toString()), Clock.systemUTC())) {
            manager.ready(view);
            assertThat(receive()).as("alone, so that no status can make systemd drop it").isEqualTo("READY=1");
            assertThat(receive()).startsWith("STATUS=node node-7, 2 tasks held, last contact ");
            manager.stopping();
            assertThat(receive()).isEqualTo("STOPPING=1\nSTATUS=stopping");
            manager.reloading();
            assertThat(receive()).isEqualTo("RELOADING=1");
        }
    }

    @Test
    void aStatusLineStaysOneAssignment() throws IOException {
        try (ServiceManager manager = ServiceManager.fromEnvironment(Map.of("NOTIFY_SOCKET", socketPath.toString()), Clock.systemUTC())) {
            manager.status("first\nREADY=1\u0000");
            assertThat(receive()).isEqualTo("STATUS=first READY=1 ");
            manager.status("x".repeat(5000));
            assertThat(receive()).hasSize("STATUS=".length() + StatusLine.MAX_LENGTH).endsWith("x…");
        }
    }

    @Test
    void theWatchdogIsPingedWhileTheRunnerWorksAndNotWhenItsPollStops() throws Exception {
        view.lastPollTick = Optional.of(Instant.now());
        view.lastContact = Optional.of(Instant.now());
        Map<String, String> environment = Map.of("NOTIFY_SOCKET", socketPath.toString(), "WATCHDOG_USEC", "300000",
                "WATCHDOG_PID", Long.toString(ProcessHandle.current().pid()));
        try (ServiceManager manager = ServiceManager.fromEnvironment(environment, Clock.systemUTC())) {
            manager.ready(view);
            assertThat(receive()).isEqualTo("READY=1");
            List<String> pings = receiveFor(Duration.ofMillis(700));
            assertThat(pings.stream().filter("WATCHDOG=1"::equals)).as("a ping every 100 ms").hasSizeGreaterThanOrEqualTo(4);

            view.lastPollTick = Optional.of(Instant.now().minusSeconds(600));
            receiveFor(Duration.ofMillis(150)); // one already on its way
            assertThat(receiveFor(Duration.ofMillis(600))).as("no ping while the poll job is stuck").noneMatch("WATCHDOG=1"::equals);

            view.lastPollTick = Optional.of(Instant.now());
            assertThat(receiveFor(Duration.ofMillis(600))).as("pinged again").contains("WATCHDOG=1");
        }
    }

    @Test
    void aWatchdogMeantForAnotherProcessIsNotPinged() throws Exception {
        Map<String, String> environment = Map.of("NOTIFY_SOCKET", socketPath.toString(), "WATCHDOG_USEC", "300000",
                "WATCHDOG_PID", "1");
        try (ServiceManager manager = ServiceManager.fromEnvironment(environment, Clock.systemUTC())) {
            assertThat(manager.watchdogTimeout()).isEmpty();
            manager.ready(view);
            assertThat(receive()).isEqualTo("READY=1");
            assertThat(receiveFor(Duration.ofMillis(500))).noneMatch("WATCHDOG=1"::equals);
        }
    }

    @Test
    void anAbstractSocketIsReached() throws IOException {
        String name = "victoria-runner-test-" + System.nanoTime();
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] abstractName = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, abstractName, 1, bytes.length);
        try (AFUNIXDatagramSocket abstractSystemd = AFUNIXDatagramSocket.newInstance();
                ServiceManager manager = ServiceManager.fromEnvironment(Map.of("NOTIFY_SOCKET", "@" + name), Clock.systemUTC())) {
            abstractSystemd.bind(AFUNIXSocketAddress.of(abstractName));
            abstractSystemd.setSoTimeout(1000);
            manager.status("hello");
            assertThat(receive(abstractSystemd)).isEqualTo("STATUS=hello");
        }
    }

    @Test
    void offSystemdNothingIsSentAndNothingFails() throws Exception {
        try (ServiceManager manager = ServiceManager.fromEnvironment(Map.of("WATCHDOG_USEC", "300000"), Clock.systemUTC())) {
            assertThat(manager.watchdogTimeout()).isEmpty();
            manager.ready(view);
            manager.status(view);
            manager.stopping();
            assertThat(receiveFor(Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void aSocketThatIsGoneFailsReadinessLoudlyAndTheRestQuietly() throws IOException {
        systemd.close();
        try (ServiceManager manager = ServiceManager.fromEnvironment(Map.of("NOTIFY_SOCKET", socketPath.toString()), Clock.systemUTC())) {
            manager.status("still here");
            manager.stopping();
            assertThatThrownBy(() -> manager.ready(view)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("READY=1");
        }
    }

    @Test
    void aWatchdogTimeoutIsReadInMicroseconds() {
        assertThat(ServiceManager.watchdogTimeout(Map.of("WATCHDOG_USEC", "30000000"), 42)).contains(Duration.ofSeconds(30));
        assertThat(ServiceManager.watchdogTimeout(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "42"), 42))
                .contains(Duration.ofSeconds(30));
        assertThat(ServiceManager.watchdogTimeout(Map.of("WATCHDOG_USEC", "soon"), 42)).isEmpty();
        assertThat(ServiceManager.watchdogTimeout(Map.of("WATCHDOG_USEC", "0"), 42)).isEmpty();
        assertThat(ServiceManager.watchdogTimeout(Map.of(), 42)).isEmpty();
    }

    private String receive() throws IOException {
        return receive(systemd);
    }

    private static String receive(AFUNIXDatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
        socket.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    private List<String> receiveFor(Duration window) throws IOException {
        List<String> messages = new ArrayList<>();
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            try {
                systemd.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
                messages.add(receive());
            } catch (SocketTimeoutException e) {
                break;
            }
        }
        return messages;
    }

    /** What the watchdog and the status line read, set by each test. */
    static final class TestView implements RunnerView {
        volatile Optional<String> nodeId = Optional.empty();
        volatile Optional<Instant> lastContact = Optional.empty();
        volatile Optional<Instant> lastPollTick = Optional.empty();
        volatile int tasksHeld;

        @Override
        public Optional<String> nodeId() {
            return nodeId;
        }

        @Override
        public Optional<Instant> lastContact() {
            return lastContact;
        }

        @Override
        public Duration contactMaxAge() {
            return Duration.ofSeconds(60);
        }

        @Override
        public Optional<String> runtimeVersion() {
            return Optional.of("podman 4.3.1");
        }

        @Override
        public Optional<String> diskShortage() {
            return Optional.empty();
        }

        @Override
        public Optional<String> claimingStopped() {
            return Optional.empty();
        }

        @Override
        public Optional<String> limitsNotEnforced() {
            return Optional.empty();
        }

        @Override
        public int tasksHeld() {
            return tasksHeld;
        }

        @Override
        public Optional<Instant> lastPollTick() {
            return lastPollTick;
        }

        @Override
        public Duration pollMaxSilence() {
            return Duration.ofSeconds(60);
        }
    }
}
