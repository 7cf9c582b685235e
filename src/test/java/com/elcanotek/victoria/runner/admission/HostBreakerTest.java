package com.elcanotek.victoria.runner.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.elcanotek.victoria.runner.metrics.RunnerMetrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The host breaker's pauses, with a probe the test decides and timers the test fires. */
class HostBreakerTest {

    private static final HostBreaker.Settings SETTINGS = new HostBreaker.Settings(2, Duration.ofSeconds(10),
            Duration.ofSeconds(40));

    private final ManualTimers timers = new ManualTimers();
    private final Deque<Optional<String>> probeAnswers = new ArrayDeque<>();
    private final HostBreaker breaker = new HostBreaker(() -> probeAnswers.isEmpty() ? Optional.empty() : probeAnswers.pop(),
            SETTINGS, timers, Clock.systemUTC(), new RunnerMetrics(new SimpleMeterRegistry()));

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    @Test
    void startsOnTrialThatKeepFailingWhileTheProbePassesMakeThePauseKeepGrowingPastTheProbesLongest() {
        openWithTwoFailures();
        for (int trial = 0; trial < 5; trial++) {
            timers.fireNext();
            assertThat(breaker.closedBecause()).as("the probe passed: a start on trial").isEmpty();
            breaker.failed("OCI runtime error");
            assertThat(breaker.closedBecause()).as("the trial failed: closed at once").isPresent();
        }

        assertThat(timers.delays).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40),
                Duration.ofSeconds(80), Duration.ofSeconds(160), Duration.ofSeconds(320));
    }

    @Test
    void failedProbesGrowThePauseUpToItsLongestAndNeverShortenALongerOne() {
        openWithTwoFailures();
        probeAnswers.addAll(List.of(Optional.of("engine down"), Optional.of("engine down"), Optional.of("engine down")));
        timers.fireNext();
        timers.fireNext();
        timers.fireNext();
        timers.fireNext();
        breaker.failed("OCI runtime error");
        probeAnswers.add(Optional.of("engine down"));
        timers.fireNext();
        timers.fireNext();
        breaker.failed("OCI runtime error");

        assertThat(timers.delays).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40),
                Duration.ofSeconds(40), Duration.ofSeconds(80), Duration.ofSeconds(80), Duration.ofSeconds(160));
    }

    @Test
    void aStartThatWorksBringsThePauseBackToItsFirstLength() {
        openWithTwoFailures();
        timers.fireNext();
        breaker.failed("OCI runtime error");
        timers.fireNext();
        breaker.started();

        breaker.failed("OCI runtime error");
        assertThat(breaker.closedBecause()).as("one failure after a start that worked is below the threshold").isEmpty();
        breaker.failed("OCI runtime error");

        assertThat(timers.delays).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(10));
    }

    @Test
    void aStartThatWasUnderWayWhenClaimingStoppedLeavesTheProbesGoing() {
        openWithTwoFailures();
        breaker.started();
        probeAnswers.add(Optional.of("engine down"));

        timers.fireNext();
        assertThat(breaker.closedBecause()).get().asString().contains("engine down");
        timers.fireNext();

        assertThat(breaker.closedBecause()).isEmpty();
        assertThat(timers.delays).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20));
    }

    private void openWithTwoFailures() {
        breaker.failed("OCI runtime error");
        assertThat(breaker.closedBecause()).isEmpty();
        breaker.failed("OCI runtime error");
        assertThat(breaker.closedBecause()).get().asString().contains("OCI runtime error");
    }

    /** Keeps what the breaker schedules, with its delay, until the test fires it on the test's thread. */
    private static final class ManualTimers extends ScheduledThreadPoolExecutor {

        final List<Duration> delays = new ArrayList<>();
        private final Deque<Runnable> due = new ArrayDeque<>();

        ManualTimers() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            delays.add(Duration.ofNanos(unit.toNanos(delay)));
            due.add(command);
            return super.schedule(() -> { }, 1, TimeUnit.DAYS);
        }

        void fireNext() {
            assertThat(due).as("something scheduled").isNotEmpty();
            due.pop().run();
        }
    }
}
