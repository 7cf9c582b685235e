package com.elcanotek.victoria.runner.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import org.awaitility.Awaitility;

import com.elcanotek.victoria.runner.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ContainerExits} against a real engine, once per CLI: exits arrive by event, by the look at
 * registration, or by the sweep, and the one events process behind them is restarted, ended and
 * reaped. Every container carries this test's own label, and only this JVM's own events
 * processes carrying it are looked at or killed.
 */
abstract class ContainerExitsContractTest {

    /** So long that only the event or the look at registration can notice an exit within a test. */
    private static final ContainerExits.Timing NO_SWEEP = new ContainerExits.Timing(Duration.ofHours(1),
            Duration.ofSeconds(30), Duration.ofSeconds(30));
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final String testId = UUID.randomUUID().toString();
    private final Map<String, String> labels = Map.of(TestEngine.TEST_LABEL, testId);
    final ContainerRuntime runtime = createRuntime(new ObjectMapper());
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService waiters = Executors.newCachedThreadPool();
    private final List<ContainerExits> opened = new ArrayList<>();

    abstract ContainerRuntime createRuntime(ObjectMapper mapper);

    /** Where the runtime's containers are, for set-up and clean-up: podman's storage unless said otherwise. */
    TestEngine engine() {
        return TestEngine.PODMAN;
    }

    @AfterEach
    void cleanUp() {
        waiters.shutdownNow();
        opened.forEach(ContainerExits::close);
        executor.shutdownNow();
        engine().removeLabelled(TestEngine.TEST_LABEL + "=" + testId);
    }

    private ContainerExits exits(ContainerRuntime engine, ContainerExits.Timing timing) {
        ContainerExits exits = new ContainerExits(engine, labels, executor, Clock.systemUTC(), timing);
        opened.add(exits);
        return exits;
    }

    private String start(String prompt) {
        String name = "victoria-exits-" + UUID.randomUUID().toString().substring(0, 8);
        return runtime.start(new ContainerSpec(name, TestEngine.IMAGE, List.of("--accept-license", "--task", prompt),
                List.of(), List.of(), List.of(), labels, false, ContainerPolicy.DEFAULT, null));
    }

    private Future<Integer> awaitInBackground(ContainerExits exits, String container) {
        return waiters.submit(() -> exits.await(container));
    }

    /** This JVM's events processes for this test's label: the CLI, not whatever else runs on the machine. */
    private List<ProcessHandle> eventStreams() {
        return ProcessHandle.current().descendants()
                .filter(process -> process.info().arguments()
                        .map(args -> List.of(args).contains("events") && String.join(" ", args).contains(testId))
                        .orElse(false))
                .toList();
    }

    private ProcessHandle awaitOneEventStream() {
        Awaitility.await().atMost(PATIENCE).until(() -> eventStreams().size() == 1);
        return eventStreams().get(0);
    }

    /** Gone from /proc: ended and reaped, not a zombie. */
    private static void awaitReaped(ProcessHandle process) {
        Awaitility.await().atMost(PATIENCE).until(() -> !Files.exists(Path.of("/proc", Long.toString(process.pid()))));
    }

    @Test
    void exitIsNoticedByItsEventAtOnce() throws Exception {
        ContainerExits exits = exits(runtime, NO_SWEEP);
        String id = start("sleep=2 exit=7");

        assertThat(exits.await(id)).isEqualTo(7);

        Instant noticed = Instant.now();
        Instant finished = runtime.inspect(id).orElseThrow().finishedAt();
        assertThat(Duration.between(finished, noticed)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void exitBeforeTheAwaitIsSeenAtOnce() throws Exception {
        ContainerExits exits = exits(runtime, NO_SWEEP);
        String id = start("exit=5");
        Awaitility.await().atMost(PATIENCE)
                .until(() -> runtime.inspect(id).map(ContainerInfo::state).orElseThrow() == ContainerState.EXITED);

        long started = System.nanoTime();
        assertThat(exits.await(id)).isEqualTo(5);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void exitTheStreamMissesIsFoundByTheSweep() throws Exception {
        ContainerExits exits = exits(deaf(runtime), new ContainerExits.Timing(Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(30)));
        String id = start("sleep=2 exit=9");

        assertThat(awaitInBackground(exits, id).get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(9);
    }

    @Test
    void aSweepThatKeepsFailingIsLoggedOnceAndOnceWhenItWorksAgain() throws Exception {
        AtomicBoolean psFails = new AtomicBoolean(true);
        ContainerExits exits = exits(deaf(runtime, psFails::get), new ContainerExits.Timing(Duration.ofMillis(200),
                Duration.ofSeconds(30), Duration.ofSeconds(30)));
        try (LogCapture log = LogCapture.start()) {
            String id = start("sleep=3 exit=4");
            Future<Integer> exit = awaitInBackground(exits, id);
            Thread.sleep(2000);
            psFails.set(false);

            assertThat(exit.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(4);
            assertThat(log.atLeast(Level.INFO)).filteredOn(line -> line.startsWith("Cannot look for exited containers")).hasSize(1);
            assertThat(log.atLeast(Level.INFO)).filteredOn(line -> line.equals("Looking for exited containers works again"))
                    .hasSize(1);
        }
    }

    @Test
    void killedStreamIsRestartedAndStillReportsExits() throws Exception {
        Awaited awaited = awaitedSleeper(exits(runtime, NO_SWEEP));

        awaited.stream().destroyForcibly();

        awaitReaped(awaited.stream());
        assertThat(awaitOneEventStream().pid()).isNotEqualTo(awaited.stream().pid());
        runtime.stop(awaited.id(), Duration.ofSeconds(5));
        assertThat(awaited.exit().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(143);
    }

    @Test
    void exitRightAfterTheStreamDiedIsNoticed() throws Exception {
        Awaited awaited = awaitedSleeper(exits(runtime, NO_SWEEP));

        awaited.stream().destroyForcibly();
        runtime.stop(awaited.id(), Duration.ofSeconds(5));

        assertThat(awaited.exit().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(143);
    }

    private record Awaited(String id, Future<Integer> exit, ProcessHandle stream) {
    }

    /** A container that runs for a minute, awaited in the background, with the stream that watches it. */
    private Awaited awaitedSleeper(ContainerExits exits) {
        String id = start("sleep=60");
        Future<Integer> exit = awaitInBackground(exits, id);
        return new Awaited(id, exit, awaitOneEventStream());
    }

    @Test
    void manyContainersShareOneStream() throws Exception {
        ContainerExits exits = exits(runtime, ContainerExits.Timing.DEFAULT);
        int count = 20;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(start("sleep=4 exit=" + (100 + i)));
        }
        List<Future<Integer>> codes = ids.stream().map(id -> awaitInBackground(exits, id)).toList();

        assertThat(awaitOneEventStream()).isNotNull();
        for (int i = 0; i < count; i++) {
            assertThat(codes.get(i).get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(100 + i);
        }
        assertThat(eventStreams()).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void streamEndsOnceNothingIsAwaitedAndComesBackWhenNeeded() throws Exception {
        ContainerExits exits = exits(runtime, new ContainerExits.Timing(Duration.ofMillis(500), Duration.ofSeconds(1),
                Duration.ofSeconds(30)));
        String first = start("sleep=1 exit=1");
        Future<Integer> firstExit = awaitInBackground(exits, first);
        ProcessHandle stream = awaitOneEventStream();
        assertThat(firstExit.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);

        awaitReaped(stream);
        assertThat(eventStreams()).isEmpty();

        String second = start("sleep=2 exit=2");
        Future<Integer> secondExit = awaitInBackground(exits, second);
        assertThat(awaitOneEventStream().pid()).isNotEqualTo(stream.pid());
        assertThat(secondExit.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void interruptEndsTheWaitAndCloseEndsTheStream() throws Exception {
        ContainerExits exits = exits(runtime, ContainerExits.Timing.DEFAULT);
        String id = start("sleep=60");
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiting = new Thread(() -> {
            try {
                outcome.complete(new AssertionError("returned " + exits.await(id)));
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        waiting.start();
        ProcessHandle stream = awaitOneEventStream();

        waiting.interrupt();
        assertThat(outcome.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(runtime.inspect(id).orElseThrow().state()).isEqualTo(ContainerState.RUNNING);

        exits.close();
        awaitReaped(stream);
        assertThat(eventStreams()).isEmpty();
    }

    @Test
    void neverStartedContainerIsAnErrorNotAnExit() {
        ContainerExits exits = exits(runtime, NO_SWEEP);
        String name = "victoria-created-" + testId.substring(0, 8);
        engine().createOnly(name, testId);

        assertThatThrownBy(() -> exits.await(name)).isInstanceOf(ContainerException.class)
                .hasMessageContaining("did not run to completion");
    }

    /** The engine, except that its event streams never deliver anything: as if every event were lost. */
    private static ContainerRuntime deaf(ContainerRuntime engine) {
        return deaf(engine, () -> false);
    }

    /** {@link #deaf(ContainerRuntime)}, and its {@code ps} fails while {@code psFails} says so. */
    private static ContainerRuntime deaf(ContainerRuntime engine, BooleanSupplier psFails) {
        return (ContainerRuntime) Proxy.newProxyInstance(ContainerRuntime.class.getClassLoader(),
                new Class<?>[] { ContainerRuntime.class }, (proxy, method, args) -> {
                    if (method.getName().equals("exitEvents")) {
                        return new SilentStream();
                    }
                    if (method.getName().equals("runningIds") && psFails.getAsBoolean()) {
                        throw new ContainerException("Error: cannot connect to the engine (made to fail by the test)", 125);
                    }
                    try {
                        return method.invoke(engine, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static final class SilentStream implements ExitEventStream {

        private final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public Optional<ExitEvent> next() {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        }

        @Override
        public String ending() {
            return "closed";
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
