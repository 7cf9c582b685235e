package com.elcanotek.victoria.runner.systemd;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.health.RunnerView;

/**
 * What systemd learns of the runner through sd_notify: {@code READY=1} once registered and reconciled,
 * {@code STOPPING=1}, {@code RELOADING=1}, a {@code STATUS=} line for {@code systemctl status}, and, when the unit sets
 * {@code WatchdogSec=}, {@code WATCHDOG=1} only while the runner really works (see {@link WatchdogRule}): a wedged
 * runner is restarted, and loses nothing, as its containers outlive it. Off systemd ({@code $NOTIFY_SOCKET} unset)
 * every call does nothing.
 */
public final class ServiceManager implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServiceManager.class);

    private final Optional<NotifySocket> socket;
    private final Optional<Duration> watchdogTimeout;
    private final Clock clock;
    private final AtomicReference<ScheduledExecutorService> pinger = new AtomicReference<>();
    private final AtomicBoolean sendFailing = new AtomicBoolean();
    private final AtomicReference<String> starvedBecause = new AtomicReference<>();

    ServiceManager(Optional<NotifySocket> socket, Optional<Duration> watchdogTimeout, Clock clock) {
        this.socket = socket;
        this.watchdogTimeout = socket.isPresent() ? watchdogTimeout : Optional.empty();
        this.clock = clock;
    }

    /**
     * @param environment the process's: {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID}, which
     *        names the process the watchdog expects (another one's is not ours to ping)
     */
    public static ServiceManager fromEnvironment(Map<String, String> environment, Clock clock) {
        Optional<NotifySocket> socket;
        try {
            socket = NotifySocket.of(environment.get("NOTIFY_SOCKET"));
        } catch (IllegalArgumentException e) {
            LOG.warnf("Not notifying systemd: %s", e.getMessage());
            socket = Optional.empty();
        }
        return new ServiceManager(socket, watchdogTimeout(environment, ProcessHandle.current().pid()), clock);
    }

    static Optional<Duration> watchdogTimeout(Map<String, String> environment, long pid) {
        String usec = environment.get("WATCHDOG_USEC");
        String forPid = environment.get("WATCHDOG_PID");
        if (usec == null || (forPid != null && !forPid.strip().equals(Long.toString(pid)))) {
            return Optional.empty();
        }
        try {
            long micros = Long.parseLong(usec.strip());
            return micros > 0 ? Optional.of(Duration.ofNanos(micros * 1000)) : Optional.empty();
        } catch (NumberFormatException e) {
            LOG.warnf("Ignoring WATCHDOG_USEC '%s': not a number of microseconds", usec);
            return Optional.empty();
        }
    }

    public void status(String line) {
        send("STATUS=" + StatusLine.oneLine(line));
    }

    /** What the runner is doing, for {@code systemctl status}; called every few seconds. */
    public void status(RunnerView view) {
        status(StatusLine.of(view, clock.instant()));
    }

    /**
     * Tells systemd the runner is up, which ends {@code systemctl start}, and from then on pings its watchdog
     * (every third of its timeout, so that one late ping is no restart) while {@link WatchdogRule} says the runner
     * works.
     */
    public void ready(RunnerView view) {
        if (!send("READY=1")) {
            // With Type=notify the unit would wait for ever: a visible failure (and a restart) is better.
            throw new IllegalStateException("systemd was not told READY=1 (see the error above)");
        }
        status(view);
        watchdogTimeout.ifPresent(timeout -> {
            WatchdogRule rule = new WatchdogRule(view, clock.instant());
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "systemd-watchdog");
                thread.setDaemon(true);
                return thread;
            });
            if (!pinger.compareAndSet(null, timer)) {
                timer.shutdown();
                return;
            }
            long period = Math.max(1, timeout.toMillis() / 3);
            timer.scheduleAtFixedRate(() -> ping(rule, timeout), 0, period, TimeUnit.MILLISECONDS);
            LOG.infof("systemd watchdog: %d s; pinged while the runner polls and the orchestrator answers", timeout.toSeconds());
        });
    }

    private void ping(WatchdogRule rule, Duration timeout) {
        Optional<String> starved = rule.starvedBecause(clock.instant());
        if (starved.isEmpty()) {
            send("WATCHDOG=1");
            String was = starvedBecause.getAndSet(null);
            if (was != null) {
                LOG.infof("systemd watchdog pinged again (the runner works again after: %s)", was);
            }
            return;
        }
        if (starvedBecause.getAndSet(starved.get()) == null) {
            LOG.warnf("Not pinging systemd's watchdog: %s; systemd restarts the runner after %d s of this "
                    + "(its task containers run on and are re-adopted)", starved.get(), timeout.toSeconds());
        }
    }

    /** Sent first in a reload; the {@link #reloaded()} that follows ends it. */
    public void reloading() {
        send("RELOADING=1");
    }

    public void reloaded() {
        send("READY=1");
    }

    public void stopping() {
        send("STOPPING=1\nSTATUS=stopping");
    }

    @Override
    public void close() {
        ScheduledExecutorService timer = pinger.getAndSet(null);
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** @return whether the message went out, or there is no service manager to tell */
    private boolean send(String message) {
        if (socket.isEmpty()) {
            return true;
        }
        try {
            socket.get().send(message);
            if (sendFailing.getAndSet(false)) {
                LOG.info("Notifying systemd works again");
            }
            return true;
        } catch (IOException | RuntimeException | LinkageError e) {
            // LinkageError: junixsocket's JNI library did not load (e.g. a noexec /tmp)
            if (!sendFailing.getAndSet(true)) {
                LOG.errorf("Cannot notify systemd through %s: %s", socket.get(), e.toString());
            }
            return false;
        }
    }

    /** @return when the watchdog expects pings; empty when systemd set none */
    Optional<Duration> watchdogTimeout() {
        return watchdogTimeout;
    }
}
