package com.elcanotek.victoria.runner.task;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import com.elcanotek.victoria.runner.container.ContainerSupervisor;
import com.elcanotek.victoria.runner.logs.LogFitter;
import com.elcanotek.victoria.runner.logs.SessionLogReader;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.node.Registration;
import com.elcanotek.victoria.runner.orchestrator.Backoff;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;

/**
 * What every {@link TaskRun} works with: the steps it calls and the runner's settings. Shared by all
 * runs and stateless towards any one task; each task's state lives in its own TaskRun.
 *
 * @param timers  fires lease renewals; never blocks (renewals themselves run on {@code renewals})
 * @param renewals runs lease renewals, one thread each, so that a slow answer for one task never delays another's
 * @param breaker hears of each start, and of the failures of this host
 */
public record TaskServices(Orchestrator orchestrator, Registration registration, TaskJournal journal, TaskFiles files,
        ContainerSupervisor supervisor, SessionLogReader sessions, LogFitter fitter, Settings settings, Clock clock,
        RunnerMetrics metrics, ScheduledExecutorService timers, ExecutorService renewals, HostBreaker breaker) {

    /**
     * @param logsMaxBytes budget of a {@code /logs} body; halved after each 413
     * @param leaseRenewal time between two {@code running} reports of one task, as set when the task starts renewing
     * @param retry backoff between two tries at delivering a task's results
     * @param leaseHold how long the orchestrator keeps a lease after its last renewal, one expiry sweep included
     */
    public record Settings(Path victoriaHome, URI orchestratorUrl, int logsMaxBytes, Supplier<Duration> leaseRenewal,
            Backoff.Policy retry, Duration leaseHold) {
    }
}
