package com.elcanotek.victoria.runner.task;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import com.elcanotek.victoria.runner.admission.HostBreaker;
import com.elcanotek.victoria.runner.driver.TaskDriver;
import com.elcanotek.victoria.runner.logs.LogFitter;
import com.elcanotek.victoria.runner.logs.SessionLogReader;
import com.elcanotek.victoria.runner.metrics.RunnerMetrics;
import com.elcanotek.victoria.runner.node.Registration;
import com.elcanotek.victoria.runner.orchestrator.Backoff;
import com.elcanotek.victoria.runner.orchestrator.Orchestrator;
import com.elcanotek.victoria.runner.secrets.SecretMasker;
import com.elcanotek.victoria.runner.state.Layout;

/**
 * What every {@link TaskRun} works with: the steps it calls and the runner's settings. Shared by all
 * runs and stateless towards any one task; each task's state lives in its own TaskRun.
 *
 * @param clock the wall clock: only what is journaled and shown (a restart has nothing else to go by); every duration
 *              (lease age, budgets, deadlines) is judged by {@link System#nanoTime()}, so that a clock set back or
 *              forward by time synchronisation changes none
 * @param timers  fires lease renewals and deadlines; never blocks (renewals run on {@code renewals}, stops on
 *                {@code stopper})
 * @param renewals runs lease renewals, one thread each, so that a slow answer for one task never delays another's
 * @param stopper runs container stops, which block for up to their grace period
 * @param breaker hears of each start, and of the failures of this host
 * @param devices which task has which devices of its own
 * @param masker the runner's one masker: the session log and the kept output go through it
 */
public record TaskServices(Orchestrator orchestrator, Registration registration, TaskJournal journal, TaskFiles files,
        TaskDriver driver, SessionLogReader sessions, LogFitter fitter, Settings settings, Clock clock, RunnerMetrics metrics,
        ScheduledExecutorService timers, ExecutorService renewals, ExecutorService stopper, HostBreaker breaker,
        DevicePool devices, SecretMasker masker) {

    /**
     * @param logsMaxBytes budget of a {@code /logs} body; halved after each 413
     * @param leaseRenewal time between two {@code running} reports of one task, as set when the task starts renewing
     * @param retry backoff between two tries at delivering a task's results
     * @param leaseHold how long the orchestrator keeps a lease after its last renewal, one expiry sweep included
     * @param startBudget from claim to a running container (its files downloaded): past it the task fails
     * @param deliveryBudget how long the session log is tried before the final status goes without it
     * @param stopSlack past a task's deadline, how long its container has to be stopped and its exit seen (the stop's
     *                  grace period, the engine's hiccups) before the task is reported without it
     * @param stopRetry how often a stop the engine did not take is tried again
     * @param maxAttempts runs of one journal entry that may end by a crash or an unforeseen error before the task is
     *                    given up and reported as an error
     */
    public record Settings(Layout layout, URI orchestratorUrl, int logsMaxBytes, Supplier<Duration> leaseRenewal,
            Backoff.Policy retry, Duration leaseHold, Duration startBudget, Duration deliveryBudget, Duration stopSlack,
            Duration stopRetry, int maxAttempts) {
    }
}
