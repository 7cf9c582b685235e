package com.elcanotek.victoria.runner.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import com.elcanotek.victoria.runner.e2e.FakeBackedRunner;
import com.elcanotek.victoria.runner.e2e.Launcher;
import com.elcanotek.victoria.runner.fake.FakeOrchestrator;
import com.elcanotek.victoria.runner.fake.NodeSnapshot;
import com.elcanotek.victoria.runner.fake.RequestRecord;
import com.elcanotek.victoria.runner.fake.TaskSnapshot;
import com.elcanotek.victoria.runner.fake.TaskState;

/**
 * A fleet: N runners started at the same moment behind one address, against one orchestrator with the real server's
 * registration limit. In turn: how long registering them all takes and how many requests the limit wastes; what the
 * idle fleet costs the orchestrator (requests per second, and how evenly spread: runners started together must not
 * poll or beat in lock-step) and the host (RSS); then an outage (the orchestrator stopped, connections refused, and
 * started again on the same port): the request peak after it, how soon every runner polls again, and whether the
 * tasks that ended during it and those queued during it are all reported exactly once.
 */
final class FleetBench {

    /** The sizes and windows of one run. */
    record Plan(int runners, Duration idleWindow, Duration outage, int runningTasks, Duration runningTaskLength,
            int queuedTasks, Duration recoveryWindow) {
    }

    /** A production-like poll interval (the default is 30 s): the idle load it gives is the one to know. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(10);
    /** The runner's default. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(30);
    /** The real server's limit (PROTOCOL.md), per client address: the whole fleet shares it here. */
    private static final int REGISTRATIONS_PER_MINUTE = 10;
    /** 50 JVMs starting at once on 2 cores, then 4 minutes of the limit at the least. */
    private static final Duration ALL_REGISTERED = Duration.ofMinutes(15);
    /** A whole heartbeat cycle after the last first poll, so that every job has its rhythm. */
    private static final Duration SETTLE = HEARTBEAT_INTERVAL.plusSeconds(10);
    private static final Duration PATIENCE = Duration.ofMinutes(5);
    private static final String POLL = "GET /tasks/pending";
    private static final String HEARTBEAT = "POST /nodes/heartbeat";
    private static final String REGISTER = "POST /register";

    private FleetBench() {
    }

    static List<Figure> run(BenchRun run, Launcher launcher, Plan plan) throws Exception {
        String scenario = "fleet " + plan.runners();
        List<Figure> figures = new ArrayList<>();
        try (FakeOrchestrator fake = FakeBackedRunner.fake().registrationRateLimit(REGISTRATIONS_PER_MINUTE).build().start();
                Fleet fleet = Fleet.start(run, launcher, fake, plan.runners())) {
            Instant started = fleet.spawnedAt();
            figures.addAll(registration(scenario, fake, fleet, started));
            Instant lastFirstPoll = awaitEveryNodePolled(fake, fleet, Instant.MIN);
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), lastFirstPoll.plus(SETTLE)).toMillis()));
            figures.addAll(idle(scenario, fake, fleet, plan.idleWindow()));
            figures.addAll(outage(scenario, fake, fleet, plan));
            fleet.assertAlive();
        }
        return figures;
    }

    private static List<Figure> registration(String scenario, FakeOrchestrator fake, Fleet fleet, Instant started) {
        Awaitility.await().atMost(ALL_REGISTERED).pollInterval(Duration.ofSeconds(1)).until(() -> {
            fleet.assertAlive();
            return fake.nodes().size() == fleet.size();
        });
        List<Instant> registered = fake.nodes().stream().map(NodeSnapshot::registeredAt).sorted().toList();
        List<RequestRecord> attempts = fake.requests().stream().filter(kind(REGISTER)).toList();
        long refused = attempts.stream().filter(r -> r.status() == 429).count();
        Instant last = registered.get(registered.size() - 1);
        PerSecond perSecond = PerSecond.of(attempts.stream().map(RequestRecord::at).toList(), started,
                (int) Duration.between(started, last).toSeconds() + 1);
        // The retries: from the first acceptance on, once the first burst (every runner at once, whatever it does) is over.
        Instant retriesFrom = registered.get(0).plusSeconds(30);
        PerSecond retries = PerSecond.of(attempts.stream().map(RequestRecord::at).toList(), retriesFrom,
                (int) Math.max(0, Duration.between(retriesFrom, last).toSeconds() + 1));
        // The limit lets 10 through at once, then 10 a minute: the least time for all after the first.
        long floor = Math.max(0, (fleet.size() - 1) / REGISTRATIONS_PER_MINUTE) * 60L;
        return List.of(
                Figure.of(scenario, "first registered", "s", seconds(started, registered.get(0)),
                        "all runners spawned at once -> the first registration accepted (JVM start-up)"),
                Figure.of(scenario, "all registered", "s", seconds(started, last),
                        "spawned -> the last registration accepted; %d per minute from one address: %d s after the first at best"
                                .formatted(REGISTRATIONS_PER_MINUTE, floor)),
                Figure.of(scenario, "register 429s", "count", refused,
                        "registrations refused by the limit, of %d attempts".formatted(attempts.size())),
                Figure.of(scenario, "register peak", "req/s", perSecond.max(),
                        "most registration attempts in one second; per second from the spawn: " + perSecond.series()),
                Figure.of(scenario, "register retry peak", "req/s", retries.max(),
                        "most registration attempts in one second from 30 s after the first acceptance on: retries"));
    }

    private static List<Figure> idle(String scenario, FakeOrchestrator fake, Fleet fleet, Duration window)
            throws InterruptedException {
        Instant from = Instant.now();
        Thread.sleep(window.toMillis());
        Instant to = Instant.now();
        // RSS at the end of the window, before the outage's tasks.
        List<Double> rss = fleet.runners().stream().map(r -> Proc.rssMb(r.pid())).toList();
        List<RequestRecord> requests = during(fake.requests(), from, to);
        int seconds = (int) window.toSeconds();
        PerSecond all = PerSecond.of(times(requests), from, seconds);
        PerSecond polls = PerSecond.of(times(requests.stream().filter(kind(POLL)).toList()), from, seconds);
        PerSecond beats = PerSecond.of(times(requests.stream().filter(kind(HEARTBEAT)).toList()), from, seconds);
        int n = fleet.size();
        String over = " over %d s idle, polling every %d s, heartbeat every %d s".formatted(seconds,
                POLL_INTERVAL.toSeconds(), HEARTBEAT_INTERVAL.toSeconds());
        return List.of(
                Figure.of(scenario, "idle requests", "req/s", all.mean(), "all runners" + over),
                Figure.of(scenario, "idle requests per runner", "req/min", all.mean() / n * 60,
                        "expected 60/%d + 60/%d = %.1f".formatted(POLL_INTERVAL.toSeconds(), HEARTBEAT_INTERVAL.toSeconds(),
                                60.0 / POLL_INTERVAL.toSeconds() + 60.0 / HEARTBEAT_INTERVAL.toSeconds())),
                Figure.of(scenario, "idle max / mean", "ratio", all.max() / Math.max(all.mean(), 1e-9),
                        "busiest second over the mean second (1 = even); per second: " + all.series()),
                Figure.of(scenario, "idle CV", "ratio", all.coefficientOfVariation(),
                        "standard deviation over mean of the per-second counts (Poisson: %.2f)"
                                .formatted(1 / Math.sqrt(Math.max(all.mean(), 1e-9)))),
                Figure.of(scenario, "poll max per second", "req/s", polls.max(),
                        "even spread: %d; polls per second: %s".formatted(ceilDiv(n, POLL_INTERVAL), polls.series())),
                Figure.of(scenario, "poll same-second group", "count", largestGroup(requests, POLL, POLL_INTERVAL),
                        "most runners polling in the same second of the %d-s cycle (lock-step: %d; even: %d)"
                                .formatted(POLL_INTERVAL.toSeconds(), n, ceilDiv(n, POLL_INTERVAL))),
                Figure.of(scenario, "heartbeat max per second", "req/s", beats.max(),
                        "even spread: %d; heartbeats per second: %s".formatted(ceilDiv(n, HEARTBEAT_INTERVAL), beats.series())),
                Figure.of(scenario, "heartbeat same-second group", "count", largestGroup(requests, HEARTBEAT, HEARTBEAT_INTERVAL),
                        "most runners beating in the same second of the %d-s cycle (lock-step: %d; even: %d)"
                                .formatted(HEARTBEAT_INTERVAL.toSeconds(), n, ceilDiv(n, HEARTBEAT_INTERVAL))),
                Figure.of(scenario, "RSS per runner, mean", "MB", rss.stream().mapToDouble(d -> d).average().orElse(0),
                        "VmRSS at the end of the idle window"),
                Figure.of(scenario, "RSS per runner, max", "MB", rss.stream().mapToDouble(d -> d).max().orElse(0),
                        "VmRSS at the end of the idle window"),
                Figure.of(scenario, "RSS of the fleet", "MB", rss.stream().mapToDouble(d -> d).sum(),
                        "VmRSS summed over the runners (shared pages counted once per process)"));
    }

    private static List<Figure> outage(String scenario, FakeOrchestrator fake, Fleet fleet, Plan plan) throws Exception {
        // Tasks that run into the outage and end during it: their outcome must wait for the orchestrator to return.
        List<String> running = new ArrayList<>();
        for (int i = 0; i < plan.runningTasks(); i++) {
            running.add(fake.createTask("sleep=" + plan.runningTaskLength().toSeconds()));
        }
        Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> running.stream().allMatch(id -> fake.task(id).state() == TaskState.RUNNING));
        fake.stop();
        Instant down = Instant.now();
        // Tasks queued while it is down, as the real one's web UI could: claimed once it is back.
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < plan.queuedTasks(); i++) {
            queued.add(fake.createTask("exit=0"));
        }
        Thread.sleep(plan.outage().toMillis());
        fake.start();
        Instant up = Instant.now();
        Instant lastPoll = awaitEveryNodePolled(fake, fleet, up);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), up.plus(plan.recoveryWindow())).toMillis()));
        List<String> all = new ArrayList<>(running);
        all.addAll(queued);
        try {
            BenchRun.awaitFinal(fake, all, PATIENCE);
        } catch (ConditionTimeoutException e) {
            // Counted below: a task lost is a figure, not a failed run.
        }
        List<TaskSnapshot> tasks = all.stream().map(fake::task).toList();
        long notFinal = tasks.stream().filter(t -> t.state() != TaskState.SUCCESS && t.state() != TaskState.ERROR).count();
        List<RequestRecord> requests = fake.requests();
        int seconds = (int) plan.recoveryWindow().toSeconds();
        PerSecond after = PerSecond.of(times(during(requests, up, up.plus(plan.recoveryWindow()))), up, seconds);
        List<Double> recovered = firstSuccessfulPolls(requests, up).values().stream().map(at -> seconds(up, at)).sorted()
                .toList();
        Map<String, Long> finalReports = requests.stream()
                .filter(r -> r.path().equals("/status") && r.status() == 200 && isFinal(r.reportedStatus()))
                .collect(Collectors.groupingBy(RequestRecord::taskId, Collectors.counting()));
        long reportedTwice = all.stream().filter(id -> finalReports.getOrDefault(id, 0L) > 1).count();
        long claimedTwice = tasks.stream().filter(t -> t.claims() > 1).count();
        long failed = tasks.stream().filter(t -> t.state() == TaskState.ERROR).count();
        // Those that ended while it was down: their reports waited in the runners' backoff.
        double lastLateReport = tasks.subList(0, running.size()).stream().filter(t -> t.state() == TaskState.SUCCESS)
                .mapToDouble(t -> seconds(up, t.firstAt(TaskState.SUCCESS))).max().orElse(-1);
        String given = "%d running into the outage (sleep=%d), %d queued during it (exit=0)".formatted(plan.runningTasks(),
                plan.runningTaskLength().toSeconds(), plan.queuedTasks());
        return List.of(
                Figure.of(scenario, "outage length", "s", seconds(down, up), "orchestrator stopped (connections refused)"),
                Figure.of(scenario, "after outage peak", "req/s", after.max(),
                        "busiest second of the %d s after it came back (idle mean above); per second: %s".formatted(seconds,
                                after.series())),
                Figure.of(scenario, "after outage first 10 s", "count", PerSecond.of(times(during(requests, up,
                        up.plusSeconds(10))), up, 10).total(), "requests in the first 10 s after it came back"),
                Figure.of(scenario, "all polling again", "s", seconds(up, lastPoll),
                        "back up -> the last runner's first successful GET /tasks/pending"),
                Figure.of(scenario, "polling again, median", "s", recovered.isEmpty() ? -1 : recovered.get(recovered.size() / 2),
                        "back up -> a runner's first successful GET /tasks/pending, median of the runners"),
                Figure.of(scenario, "late reports delivered", "s", lastLateReport,
                        "back up -> the last final status of the tasks that ended during the outage"),
                Figure.of(scenario, "tasks not final", "count", notFinal, given + "; waited " + PATIENCE.toMinutes() + " min"),
                Figure.of(scenario, "tasks failed", "count", failed, "final but not success, of " + all.size()),
                Figure.of(scenario, "tasks reported twice", "count", reportedTwice,
                        "tasks whose final status was accepted more than once"),
                Figure.of(scenario, "tasks claimed twice", "count", claimedTwice, "tasks handed out more than once"));
    }

    /** Waits until every node has been served a poll after {@code since}; @return when the last of them was. */
    private static Instant awaitEveryNodePolled(FakeOrchestrator fake, Fleet fleet, Instant since) {
        return Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            fleet.assertAlive();
            Map<String, Instant> first = firstSuccessfulPolls(fake.requests(), since);
            return first.size() == fleet.size() ? first.values().stream().max(Comparator.naturalOrder()).orElseThrow() : null;
        }, at -> at != null);
    }

    private static Map<String, Instant> firstSuccessfulPolls(List<RequestRecord> requests, Instant since) {
        Map<String, Instant> first = new HashMap<>();
        requests.stream().filter(kind(POLL)).filter(r -> r.status() == 200 && r.nodeId() != null && r.at().isAfter(since))
                .forEach(r -> first.merge(r.nodeId(), r.at(), (a, b) -> a.isBefore(b) ? a : b));
        return first;
    }

    /**
     * Each runner's requests of one kind fall in one second of the cycle (the scheduler fires on whole seconds):
     * the largest number of runners sharing that second. Their first request of the window stands for the cycle.
     */
    private static long largestGroup(List<RequestRecord> requests, String kind, Duration interval) {
        Map<String, Instant> first = new HashMap<>();
        requests.stream().filter(kind(kind)).filter(r -> r.nodeId() != null)
                .forEach(r -> first.merge(r.nodeId(), r.at(), (a, b) -> a.isBefore(b) ? a : b));
        return first.values().stream().collect(Collectors.groupingBy(at -> at.getEpochSecond() % interval.toSeconds(),
                Collectors.counting())).values().stream().max(Long::compare).orElse(0L);
    }

    private static Predicate<RequestRecord> kind(String kind) {
        return r -> (r.method() + " " + r.path()).equals(kind);
    }

    private static boolean isFinal(String status) {
        return Set.of("success", "error").contains(status);
    }

    private static List<RequestRecord> during(List<RequestRecord> requests, Instant from, Instant to) {
        return requests.stream().filter(r -> !r.at().isBefore(from) && r.at().isBefore(to)).toList();
    }

    private static List<Instant> times(Collection<RequestRecord> requests) {
        return requests.stream().map(RequestRecord::at).toList();
    }

    private static long ceilDiv(int n, Duration interval) {
        return (n + interval.toSeconds() - 1) / interval.toSeconds();
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    /** The runners, spawned together (one thread each, so that none waits for another's spawn), closed together. */
    private static final class Fleet implements AutoCloseable {

        private final List<FakeBackedRunner> runners;
        private final Instant spawnedAt;

        private Fleet(List<FakeBackedRunner> runners, Instant spawnedAt) {
            this.runners = runners;
            this.spawnedAt = spawnedAt;
        }

        static Fleet start(BenchRun run, Launcher launcher, FakeOrchestrator fake, int size) throws Exception {
            Map<String, String> options = Map.of("--poll-interval", Long.toString(POLL_INTERVAL.toSeconds()),
                    "--heartbeat-interval", Long.toString(HEARTBEAT_INTERVAL.toSeconds()));
            ExecutorService spawner = Executors.newFixedThreadPool(size);
            List<Future<FakeBackedRunner>> spawned = new ArrayList<>();
            Instant at = Instant.now();
            try {
                for (int i = 0; i < size; i++) {
                    String name = "fleet-" + i;
                    spawned.add(spawner.submit(() -> run.start(launcher, fake, name, options)));
                }
            } finally {
                spawner.shutdown();
            }
            List<FakeBackedRunner> runners = new ArrayList<>();
            Exception failure = null;
            for (Future<FakeBackedRunner> future : spawned) {
                try {
                    runners.add(future.get());
                } catch (Exception e) {
                    failure = failure == null ? e : failure;
                }
            }
            Fleet fleet = new Fleet(runners, at);
            if (failure != null) {
                fleet.close();
                throw failure;
            }
            return fleet;
        }

        Instant spawnedAt() {
            return spawnedAt;
        }

        List<FakeBackedRunner> runners() {
            return runners;
        }

        int size() {
            return runners.size();
        }

        /** A runner that died (e.g. out of memory on a crowded host) would make every wait time out. */
        void assertAlive() {
            List<FakeBackedRunner> dead = runners.stream().filter(r -> !r.isAlive()).toList();
            if (!dead.isEmpty()) {
                throw new AssertionError(dead.size() + " runner(s) died, e.g. " + dead.get(0).name() + ":\n"
                        + dead.get(0).output());
            }
        }

        /** Every runner killed and its containers removed, whatever fails on the way. */
        @Override
        public void close() throws InterruptedException {
            InterruptedException interrupted = null;
            for (FakeBackedRunner runner : runners) {
                try {
                    runner.close();
                } catch (InterruptedException e) {
                    interrupted = e;
                } catch (RuntimeException e) {
                    System.out.printf("cleaning up %s: %s%n", runner.name(), e.getMessage());
                }
            }
            if (interrupted != null) {
                throw interrupted;
            }
        }
    }
}
