package com.elcanotek.victoria.runner.task;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import com.elcanotek.victoria.runner.ShiftedClock;
import com.elcanotek.victoria.runner.admission.ClaimAdmission;
import com.elcanotek.victoria.runner.admission.DiskSpaceGuard;
import com.elcanotek.victoria.runner.admission.HostBreaker;
import com.elcanotek.victoria.runner.container.ContainerPolicy;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.RequestRecord;
import com.elcanotek.victoria.runner.logs.LogFitter;
import com.elcanotek.victoria.runner.logs.SessionLogReader;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.network.NetworkSettings;
import com.elcanotek.victoria.runner.node.CredentialsStore;
import com.elcanotek.victoria.runner.node.NodeCredentials;
import com.elcanotek.victoria.runner.node.NodeIdentity;
import com.elcanotek.victoria.runner.node.Registration;
import com.elcanotek.victoria.runner.orchestrator.Backoff;
import com.elcanotek.victoria.runner.orchestrator.ClientSettings;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.orchestrator.TaskAssignment;
import com.elcanotek.victoria.runner.orchestrator.WireMockOrchestrator;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.elcanotek.victoria.runner.state.Layout;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The world of the task code without podman, for fast tests of TaskRun, TaskLoop and Reconciler: the stateful fake
 * orchestrator over real HTTP (its leases, its 403s, its faults), the runner's own orchestrator client and
 * registration, a {@link FakeDriver}, the journal in memory, and short budgets that a test may change before it asks
 * for {@link #services()}.
 */
final class TaskHarness implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(20);

    final FakeOrchestrator fake;
    final FakeDriver driver = new FakeDriver();
    final InMemoryTaskJournal journal = new InMemoryTaskJournal();
    final ShiftedClock clock = new ShiftedClock();
    final Layout layout;
    final Orchestrator orchestrator;
    final Registration registration;
    final RunnerMetrics metrics = new RunnerMetrics(new SimpleMeterRegistry());
    final SecretMasker masker = new SecretMasker();
    final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    final ExecutorService pool = Executors.newCachedThreadPool();
    private final ObjectMapper json;

    /** Which task has which devices: every task gets all of them unless a test gives it another pool. */
    DevicePool devices = new DevicePool(ContainerPolicy.DEFAULT);
    Duration leaseRenewal = Duration.ofMillis(300);
    Duration leaseHold = Duration.ofSeconds(5);
    Duration startBudget = Duration.ofSeconds(10);
    Duration deliveryBudget = Duration.ofSeconds(2);
    Duration stopSlack = Duration.ofSeconds(1);
    int maxAttempts = 3;

    TaskHarness(Path dir, ObjectMapper json, FakeOrchestrator.Builder fake) {
        this.json = json;
        this.fake = fake.build().start();
        this.layout = new Layout(dir.resolve("state"), dir.resolve("Victoria"));
        NodeCredentials credentials = new NodeCredentials(masker);
        this.orchestrator = new Orchestrator(new ClientSettings(URI.create(this.fake.url()), Duration.ofSeconds(2),
                Duration.ofSeconds(5), Duration.ofSeconds(5), NetworkSettings.direct(), WireMockOrchestrator.USER_AGENT,
                new Backoff.Policy(Duration.ofMillis(20), Duration.ofMillis(200))), credentials::apiKey, json, clock, masker);
        this.registration = new Registration(orchestrator, new CredentialsStore(layout.credentials(), json),
                new NodeIdentity("host-1", "node-1", "debian"), () -> "fake-registration-token", this.fake.url(),
                credentials, clock);
        registration.ensure();
    }

    TaskServices services() {
        HostBreaker breaker = new HostBreaker(Optional::empty, new HostBreaker.Settings(3, Duration.ofSeconds(15),
                Duration.ofMinutes(5)), timers, clock, metrics);
        LogFitter fitter = new LogFitter(json);
        return new TaskServices(orchestrator, registration, journal,
                new TaskFiles(orchestrator, new TaskFiles.Limits(1 << 20, 1 << 22, 0), DiskSpaceGuard.FreeSpace.usable(),
                        Duration.ofSeconds(5), timers, metrics), driver,
                new SessionLogReader(fitter, layout.victoriaHome()), fitter,
                new TaskServices.Settings(layout, URI.create(fake.url()), 1 << 20, () -> leaseRenewal,
                        new Backoff.Policy(Duration.ofMillis(20), Duration.ofMillis(200)), leaseHold, startBudget,
                        deliveryBudget, stopSlack, Duration.ofMillis(100), maxAttempts),
                clock, metrics, timers, pool, pool, breaker, devices, masker);
    }

    /** A loop claiming into {@code runs} on this harness's services. */
    TaskLoop loop(TaskRuns runs, int slots, ClaimAdmission admission, Runnable claimTick) {
        return new TaskLoop(orchestrator, registration, runs, services(), pool, () -> slots, admission, claimTick, metrics);
    }

    /** A task made at the fake and claimed from it, as the loop does: ours from now on. */
    TaskAssignment claim(String prompt) {
        fake.createTask(prompt);
        return orchestrator.claimNextTask().orElseThrow();
    }

    /** Runs {@code run} on a worker thread of its own, as the loop does. */
    void execute(TaskRun run) {
        pool.execute(run::run);
    }

    /** The reports the fake took for the task, in order: {@code running}, {@code success}, ... */
    List<String> statuses(String taskId) {
        return fake.requests().stream().filter(r -> r.path().equals("/status") && taskId.equals(r.taskId()))
                .map(RequestRecord::reportedStatus).toList();
    }

    List<RequestRecord> requests(String path, String taskId) {
        return fake.requests().stream().filter(r -> r.path().equals(path) && taskId.equals(r.taskId())).toList();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        timers.shutdownNow();
        fake.close();
    }
}
