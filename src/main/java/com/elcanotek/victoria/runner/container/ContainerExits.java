package com.elcanotek.victoria.runner.container;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * Notices the exits of awaited containers with one engine process for all of them, not one
 * {@code wait} each: an event stream of the containers carrying the given labels, plus a sweep
 * (one {@code ps}) every few seconds for what the stream misses: podman rotates its events file
 * under its readers (which ends them), and a stream can die. Neither decides: an event or a sweep
 * only makes the waiting thread look, and {@code inspect} has the last word.
 *
 * <p>The stream runs while a container is awaited and for a while after, so back-to-back tasks
 * share one, and an idle runner has no child process at all. Each stream replays the events since
 * the previous one ended, so the gaps between streams lose nothing the engine still has.
 */
public final class ContainerExits implements AutoCloseable {

    /**
     * @param sweepInterval how often all awaited containers are looked at with one {@code ps}
     * @param linger how long the stream outlives the last wait
     * @param restartDelayMax the longest pause before restarting a stream that keeps ending by itself
     */
    public record Timing(Duration sweepInterval, Duration linger, Duration restartDelayMax) {
        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
    }

    private static final Logger LOG = Logger.getLogger(ContainerExits.class);
    /** {@code --since} takes whole seconds, and the previous stream may not have printed its last event. */
    private static final Duration REPLAY_MARGIN = Duration.ofSeconds(2);
    private static final Duration FIRST_RESTART_DELAY = Duration.ofSeconds(1);
    /** A stream that ends sooner than this after its start is failing rather than rotated away. */
    private static final Duration SHORT_LIVED = Duration.ofSeconds(10);

    private final ContainerRuntime runtime;
    private final Map<String, String> labels;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final Timing timing;
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

    // guarded by this
    private ExitEventStream stream;
    private Instant streamStarted;
    /** When the last stream ended by itself: the next one replays from there. */
    private Instant streamEnded;
    private Instant idleSince;
    private boolean restartPending;
    private int failures;
    private boolean closed;

    /** Whether the last sweep could not ask the engine; only sweeps read and write it. */
    private volatile boolean sweepFailing;

    /**
     * @param labels what every awaited container carries (the runner's own label): the stream and
     *               the sweep see only those
     * @param executor runs the sweeps and restarts, and is this object's own: a sweep blocks on the CLI, which
     *                 nothing punctual should wait behind, and {@link #close()} shuts it down
     */
    public ContainerExits(ContainerRuntime runtime, Map<String, String> labels, ScheduledExecutorService executor,
            Clock clock, Timing timing) {
        this.runtime = runtime;
        this.labels = Map.copyOf(labels);
        this.executor = executor;
        this.clock = clock;
        this.timing = timing;
        long interval = timing.sweepInterval().toMillis();
        executor.scheduleWithFixedDelay(logged(this::tick), interval, interval, TimeUnit.MILLISECONDS);
    }

    /**
     * Blocks until the container has exited and returns its exit code. A container that exists
     * but never ran to completion (state created, e.g. after a reboot) is an error, not exit 0.
     *
     * @throws InterruptedException when the waiting thread is interrupted (the container runs on)
     * @throws ContainerGone when the container does not exist or did not run to completion
     * @throws ContainerException when the engine cannot be asked
     */
    public int await(String nameOrId) throws InterruptedException {
        // Registered before the first look: an exit after that look is then seen by the stream or a sweep.
        Waiter waiter = register(nameOrId);
        try {
            while (true) {
                Optional<ContainerInfo> info = inspect(nameOrId);
                if (info.isEmpty()) {
                    // removed by someone else right after it exited: the event's code is all there is
                    return waiter.eventExitCode().orElseThrow(() -> new ContainerGone("no such container: " + nameOrId));
                }
                ContainerInfo container = info.get();
                if (container.state() == ContainerState.EXITED && container.exitCode() != null) {
                    return container.exitCode();
                }
                if (container.state() != ContainerState.RUNNING) {
                    throw new ContainerGone("container " + nameOrId + " is " + container.state() + " and did not run to completion");
                }
                waiter.identify(container);
                waiter.awaitNudge();
            }
        } finally {
            deregister(waiter);
        }
    }

    /** Stops the stream for good; a wait still blocked ends only when its thread is interrupted. */
    @Override
    public void close() {
        ExitEventStream open;
        synchronized (this) {
            closed = true;
            open = stream;
            stream = null;
        }
        executor.shutdownNow();
        if (open != null) {
            open.close();
        }
    }

    /** A shutdown interrupts the waiting thread; the CLI call it interrupted must not read as an engine failure. */
    private Optional<ContainerInfo> inspect(String nameOrId) throws InterruptedException {
        try {
            return runtime.inspect(nameOrId);
        } catch (ContainerException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while inspecting " + nameOrId);
            }
            throw e;
        }
    }

    private Waiter register(String nameOrId) {
        Waiter waiter = new Waiter(nameOrId);
        synchronized (this) {
            waiters.add(waiter);
            idleSince = null;
            ensureStream();
        }
        return waiter;
    }

    private synchronized void deregister(Waiter waiter) {
        waiters.remove(waiter);
        if (waiters.isEmpty()) {
            idleSince = clock.instant();
        }
    }

    /**
     * Starts a stream when one is wanted and none runs or is about to be restarted, replaying from
     * where a stream that ended by itself left off. Holds the lock.
     */
    private void ensureStream() {
        if (waiters.isEmpty()) {
            forgetPastStreams();
        }
        if (stream != null || restartPending || closed || waiters.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Instant from = (streamEnded != null && streamEnded.isBefore(now) ? streamEnded : now).minus(REPLAY_MARGIN);
        ExitEventStream opened;
        try {
            opened = runtime.exitEvents(labels, from);
        } catch (ContainerException e) {
            streamStarted = now;
            restartLater(e.getMessage());
            return;
        }
        stream = opened;
        streamStarted = now;
        Thread reader = new Thread(() -> read(opened), "container-exits");
        reader.setDaemon(true);
        reader.start();
        // Whatever the replay cannot give back (the events file rotated meanwhile) a sweep finds.
        executor.execute(logged(this::sweep));
    }

    private void read(ExitEventStream opened) {
        for (Optional<ExitEvent> event = opened.next(); event.isPresent(); event = opened.next()) {
            ExitEvent exit = event.get();
            waiters.stream().filter(waiter -> waiter.matches(exit)).forEach(waiter -> waiter.nudge(exit));
        }
        ended(opened);
    }

    /** The stream's output ended: by close() (nothing to do) or by itself (restart it). */
    private void ended(ExitEventStream ended) {
        synchronized (this) {
            if (stream != ended) {
                return;
            }
            stream = null;
            streamEnded = clock.instant();
        }
        String why;
        try {
            why = ended.ending();
        } catch (InterruptedException e) {
            why = "interrupted";
        }
        ended.close();
        synchronized (this) {
            // a waiter may have started the next stream while this one was being asked how it ended
            if (!closed && stream == null && !restartPending) {
                restartLater(why);
            }
        }
    }

    /**
     * A stream that ran a good while is restarted at once: podman 4.3 ends a {@code --since} stream
     * whenever it rotates its events file (every few hundred container runs on the host). One that
     * keeps ending early is backed off from. Holds the lock.
     */
    private void restartLater(String why) {
        if (Duration.between(streamStarted, clock.instant()).compareTo(SHORT_LIVED) >= 0) {
            failures = 0;
        }
        long delay = failures == 0 ? 0
                : Math.min(timing.restartDelayMax().toMillis(), FIRST_RESTART_DELAY.toMillis() << Math.min(failures - 1, 20));
        failures++;
        restartPending = true;
        LOG.logf(failures == 1 ? Logger.Level.INFO : Logger.Level.WARN,
                "Container exit events ended (%s); restarting them in %d ms, meanwhile exits are looked for every %d s",
                why, delay, timing.sweepInterval().toSeconds());
        executor.schedule(() -> {
            synchronized (this) {
                restartPending = false;
                ensureStream();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** Every sweep interval: look for missed exits, and end a stream nobody has needed for a while. */
    private void tick() {
        sweep();
        stopIdleStream();
    }

    /** A periodic task that throws is never run again, and one run once throws into a future nobody reads. */
    private static Runnable logged(Runnable work) {
        return () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.warnf(e, "Looking for container exits failed: %s", e.getMessage());
            }
        };
    }

    /** One {@code ps} for all awaited containers: any not running any more is looked at by its waiter. */
    private void sweep() {
        List<Waiter> identified = waiters.stream().filter(Waiter::identified).toList();
        if (identified.isEmpty()) {
            return;
        }
        Set<String> running;
        try {
            // Only the running ones: inspecting them all too would cost as much again, every sweep.
            running = runtime.runningIds(labels);
        } catch (ContainerException e) {
            // Every few seconds for as long as the engine is broken: said once, and once when it answers again.
            LOG.logf(sweepFailing ? Logger.Level.DEBUG : Logger.Level.WARN,
                    "Cannot look for exited containers: %s; trying again every %d s", e.getMessage(),
                    timing.sweepInterval().toSeconds());
            sweepFailing = true;
            return;
        }
        if (sweepFailing) {
            LOG.info("Looking for exited containers works again");
            sweepFailing = false;
        }
        // A paused or stopping container is not listed either: its waiter looks, sees it still runs, and waits on.
        identified.stream().filter(waiter -> !waiter.runsAmong(running)).forEach(Waiter::nudge);
    }

    private void stopIdleStream() {
        ExitEventStream idle = null;
        synchronized (this) {
            if (stream != null && waiters.isEmpty() && idleSince != null
                    && !clock.instant().isBefore(idleSince.plus(timing.linger()))) {
                idle = stream;
                stream = null;
                forgetPastStreams();
            }
        }
        if (idle != null) {
            idle.close();
        }
    }

    /**
     * Once nobody waits: whoever waits next looks at its container after registering, so there is nothing to replay
     * however long from now, and a failure streak of long ago says nothing about the next stream. Holds the lock.
     */
    private void forgetPastStreams() {
        streamEnded = null;
        failures = 0;
    }

    /** One thread waiting for one container. */
    private static final class Waiter {

        private final String nameOrId;
        private final Semaphore nudges = new Semaphore(0);
        private volatile String id;
        private volatile String name;
        private volatile Integer eventExitCode;

        Waiter(String nameOrId) {
            this.nameOrId = nameOrId;
        }

        void identify(ContainerInfo container) {
            id = container.id();
            name = container.name();
        }

        boolean identified() {
            return id != null;
        }

        boolean runsAmong(Set<String> runningIds) {
            return runningIds.contains(id);
        }

        /** By id or name: a name may be an earlier container's too, which inspect then tells apart. */
        boolean matches(ExitEvent event) {
            return event.id().equals(id) || event.name().equals(name) || nameOrId.equals(event.id())
                    || nameOrId.equals(event.name());
        }

        void nudge(ExitEvent event) {
            if (event.exitCode() != null && event.id().equals(id)) {
                eventExitCode = event.exitCode();
            }
            nudge();
        }

        void nudge() {
            nudges.release();
        }

        void awaitNudge() throws InterruptedException {
            nudges.acquire();
            nudges.drainPermits();
        }

        Optional<Integer> eventExitCode() {
            return Optional.ofNullable(eventExitCode);
        }
    }
}
