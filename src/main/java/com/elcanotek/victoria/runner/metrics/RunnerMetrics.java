package com.elcanotek.victoria.runner.metrics;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import com.elcanotek.victoria.runner.orchestrator.UserAgent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Every metric the runner publishes, in one place so that their names and tags stay consistent.
 * The components that count hold this facade (passed in their constructor); tests give it a
 * {@code SimpleMeterRegistry}, the daemon the Prometheus registry served on the management
 * interface. Meters are created up front so that a scrape shows each one from the start, at zero.
 */
public class RunnerMetrics {

    /** What a poll of {@code /tasks/pending} gave. */
    public enum PollOutcome {
        TASK, EMPTY, ERROR
    }

    /** How a task's story on this runner ended. */
    public enum TaskOutcome {
        SUCCEEDED, FAILED, TIMED_OUT, CANCELLED
    }

    /** What the reconcile did about a task or a container. */
    public enum ReconcileAction {
        /** a journaled task nobody worked on was taken up again */
        RESUMED,
        /** a running container no task knows was stopped and removed after the grace period */
        ORPHAN_REMOVED,
        /** a finished container no task knows was removed */
        FINISHED_REMOVED
    }

    /** Latency buckets of the histograms: a task start or a report takes from milliseconds to minutes. */
    private static final Duration[] BUCKETS = { Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(300) };

    private final MeterRegistry registry;
    private final Map<PollOutcome, Counter> polls = new ConcurrentHashMap<>();
    private final Map<TaskOutcome, Counter> finished = new ConcurrentHashMap<>();
    private final Map<ReconcileAction, Counter> reconciled = new ConcurrentHashMap<>();
    private final Timer pollLatency;
    private final Counter claimed;
    private final Timer claimToStart;
    private final Timer exitToReport;
    private final Counter heartbeatFailures;
    private final Counter fileBytes;
    private final Counter claimingStops;

    public RunnerMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (PollOutcome outcome : PollOutcome.values()) {
            polls.put(outcome, Counter.builder("victoria.runner.polls").description("Polls of /tasks/pending by outcome")
                    .tag("outcome", tag(outcome)).register(registry));
        }
        for (TaskOutcome outcome : TaskOutcome.values()) {
            finished.put(outcome, Counter.builder("victoria.runner.tasks.finished")
                    .description("Tasks whose story on this runner ended, by outcome").tag("outcome", tag(outcome))
                    .register(registry));
        }
        for (ReconcileAction action : ReconcileAction.values()) {
            reconciled.put(action, Counter.builder("victoria.runner.reconcile.actions")
                    .description("Actions taken by the reconcile").tag("action", tag(action)).register(registry));
        }
        pollLatency = Timer.builder("victoria.runner.poll.latency").description("Duration of one /tasks/pending call")
                .serviceLevelObjectives(BUCKETS).register(registry);
        claimed = Counter.builder("victoria.runner.tasks.claimed").description("Tasks claimed from the orchestrator")
                .register(registry);
        claimToStart = Timer.builder("victoria.runner.claim.to.start")
                .description("From claiming a task to its container running (report, files, start)")
                .serviceLevelObjectives(BUCKETS).register(registry);
        exitToReport = Timer.builder("victoria.runner.exit.to.report")
                .description("From a container's exit to the orchestrator taking its final status (logs included)")
                .serviceLevelObjectives(BUCKETS).register(registry);
        heartbeatFailures = Counter.builder("victoria.runner.heartbeat.failures")
                .description("Heartbeats the orchestrator did not take").register(registry);
        claimingStops = Counter.builder("victoria.runner.claiming.stops")
                .description("Times claiming stopped because task starts kept failing for reasons of this host")
                .register(registry);
        fileBytes = Counter.builder("victoria.runner.files.downloaded").baseUnit("bytes")
                .description("Bytes of task files downloaded and verified").register(registry);
    }

    /**
     * Gauges read live state on each scrape. A daemon assembles one runner, but a test process may
     * assemble several against one registry: the newest runner's state replaces the previous one,
     * which would otherwise stay bound to the gauge.
     *
     * @param running tasks held right now
     * @param outboxDepth final statuses decided but not yet taken by the orchestrator
     */
    public void watch(IntSupplier running, IntSupplier outboxDepth) {
        gauge("victoria.runner.tasks.running", "Tasks held right now, from claim to final report", running);
        gauge("victoria.runner.outbox.depth", "Journaled final statuses the orchestrator has not yet acknowledged",
                outboxDepth);
    }

    /** @param stopped whether claiming is stopped for a reason of this host right now (1) or not (0) */
    public void watchClaiming(BooleanSupplier stopped) {
        gauge("victoria.runner.claiming.stopped", "1 while claiming is stopped because this host cannot start tasks",
                () -> stopped.getAsBoolean() ? 1 : 0);
    }

    /** @param draining whether the operator drains this runner right now (1) or not (0) */
    public void watchDraining(BooleanSupplier draining) {
        gauge("victoria.runner.draining", "1 while the operator drains this runner: it claims nothing new",
                () -> draining.getAsBoolean() ? 1 : 0);
    }

    /**
     * {@code victoria_runner_build_info{version, os, arch, engine} 1}: what the User-Agent says, for a fleet's dashboards
     * to count builds and engines. A later runner's replaces an earlier one's, as the gauges of {@link #watch} do.
     */
    public void buildInfo(UserAgent agent) {
        registry.find("victoria.runner.build.info").gauges().forEach(registry::remove);
        Gauge.builder("victoria.runner.build.info", () -> 1).description("The runner's build, system and engine, as its "
                + "User-Agent says them").tag("version", agent.version()).tag("os", agent.os()).tag("arch", agent.arch())
                .tag("engine", agent.engine()).strongReference(true).register(registry);
    }

    public void claimingStopped() {
        claimingStops.increment();
    }

    private void gauge(String name, String description, IntSupplier value) {
        registry.find(name).gauges().forEach(registry::remove);
        Gauge.builder(name, value, IntSupplier::getAsInt).description(description).strongReference(true).register(registry);
    }

    public void polled(PollOutcome outcome, Duration latency) {
        polls.get(outcome).increment();
        pollLatency.record(latency);
    }

    public void claimed() {
        claimed.increment();
    }

    public void finished(TaskOutcome outcome) {
        finished.get(outcome).increment();
    }

    public void claimToStart(Duration latency) {
        claimToStart.record(latency);
    }

    public void exitToReport(Duration latency) {
        exitToReport.record(latency);
    }

    public void heartbeatFailed() {
        heartbeatFailures.increment();
    }

    public void reconciled(ReconcileAction action) {
        reconciled.get(action).increment();
    }

    public void downloaded(long bytes) {
        fileBytes.increment(bytes);
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
