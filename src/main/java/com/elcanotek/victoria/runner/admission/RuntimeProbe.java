package com.elcanotek.victoria.runner.admission;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import com.elcanotek.victoria.runner.container.ContainerRuntime;

/**
 * Whether the container engine answers, for readiness and right before each claim: an engine that stopped
 * answering (podman's storage locked, the docker daemon down, the CLI gone from the PATH) fails every task, and a
 * task claimed then is a task taken for nothing. One question at a time, on a thread of its own, waited for at most
 * {@link #PATIENCE}: a hung engine reads as not answering after that, and neither a readiness request nor the poll
 * hangs with it. Readiness asks at most once per {@link #FRESH}, so that a busy monitor does not start a CLI per request.
 */
public class RuntimeProbe implements ClaimGate {

    private static final Logger LOG = Logger.getLogger(RuntimeProbe.class);
    static final Duration FRESH = Duration.ofSeconds(10);
    /** Far beyond the tens of milliseconds a {@code version} takes, also on a loaded host. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    /** @param problem why the engine counts as not answering; null when it answered */
    private record Answer(Instant at, Optional<String> version, String problem) {
    }

    private final ContainerRuntime runtime;
    private final Clock clock;
    private final ExecutorService asker;
    // guarded by this
    private Answer last;
    private CompletableFuture<Answer> asking;
    private Instant askedAt;

    /** @param asker this object's own: a question can hang as long as the CLI's time limit */
    public RuntimeProbe(ContainerRuntime runtime, Clock clock, ExecutorService asker) {
        this.runtime = runtime;
        this.clock = clock;
        this.asker = asker;
    }

    /** "podman 4.3.1" while the engine answers; empty when it does not. */
    public Optional<String> version() {
        return answer(FRESH).version();
    }

    /** What the last question found: status and the service manager's line read this every few seconds, for free. */
    @Override
    public synchronized Optional<String> closedBecause() {
        return last == null ? Optional.empty() : Optional.ofNullable(last.problem());
    }

    /** Asked afresh: the engine may have broken since any earlier answer. */
    @Override
    public boolean admitsClaim() {
        return answer(Duration.ZERO).version().isPresent();
    }

    private Answer answer(Duration fresh) {
        CompletableFuture<Answer> pending;
        Instant since;
        synchronized (this) {
            Instant now = clock.instant();
            if (last != null && Duration.between(last.at(), now).compareTo(fresh) < 0) {
                return last;
            }
            pending = asking;
            if (pending == null) {
                askedAt = now;
                pending = CompletableFuture.supplyAsync(() -> ask(now), asker);
                asking = pending;
                // runs here and now if the answer came already: record() then ends the question at once
                pending.thenAccept(this::record);
            }
            since = askedAt;
        }
        try {
            long patience = Duration.between(clock.instant(), since.plus(PATIENCE)).toMillis();
            Answer answer = pending.get(Math.max(0, patience), TimeUnit.MILLISECONDS);
            // Here too, not only when the question completes: that runs on the asker's thread, maybe after this returns,
            // and whoever asked next would read the answer before last.
            record(answer);
            return answer;
        } catch (TimeoutException e) {
            Answer none = new Answer(clock.instant(), Optional.empty(), "the container engine has not answered for "
                    + Duration.between(since, clock.instant()).toSeconds() + " s");
            record(none);
            return none;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(clock.instant(), Optional.empty(), "interrupted while asking the container engine");
        } catch (ExecutionException e) {
            // ask() catches what the CLI throws: only an Error gets here
            throw new IllegalStateException(e.getCause());
        }
    }

    private Answer ask(Instant at) {
        try {
            return new Answer(at, Optional.of(runtime.name() + " " + runtime.ping()), null);
        } catch (RuntimeException e) {
            return new Answer(at, Optional.empty(), "the container engine does not answer: " + e.getMessage());
        }
    }

    /** Keeps the newest answer, and logs only the changes: a broken engine is asked before every poll. */
    private void record(Answer answer) {
        Answer before;
        synchronized (this) {
            if (asking != null && asking.isDone()) {
                asking = null;
            }
            before = last;
            // Recorded twice (by whoever waited, and when the question completed): the second time, or an answer older
            // than the newest, changes nothing.
            if (before == answer || before != null && answer.at().isBefore(before.at())) {
                return;
            }
            last = answer;
        }
        boolean answered = answer.version().isPresent();
        boolean answeredBefore = before == null || before.version().isPresent();
        if (answeredBefore && !answered) {
            LOG.warnf("%s; no task is claimed until it answers again", answer.problem());
        } else if (!answeredBefore && answered) {
            LOG.infof("The container engine answers again (%s); claiming again", answer.version().get());
        }
    }
}
