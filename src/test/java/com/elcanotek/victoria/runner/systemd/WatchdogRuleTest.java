package com.elcanotek.victoria.runner.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class WatchdogRuleTest {

    static final Instant READY = Instant.parse("2026-12-02T10:00:00Z");

    final ServiceManagerTest.TestView view = new ServiceManagerTest.TestView();
    final WatchdogRule rule = new WatchdogRule(view, READY);

    @Test
    void aRunnerThatPollsAndIsAnsweredWorks() {
        view.lastPollTick = Optional.of(READY.plusSeconds(100));
        view.lastContact = Optional.of(READY.plusSeconds(95));
        assertThat(rule.starvedBecause(READY.plusSeconds(101))).isEmpty();
    }

    @Test
    void aStuckPollStarvesTheWatchdog() {
        view.lastPollTick = Optional.of(READY);
        view.lastContact = Optional.of(READY.plusSeconds(90));
        assertThat(rule.starvedBecause(READY.plusSeconds(100))).contains("no poll for 100 s");
    }

    @Test
    void anOrchestratorSilentForLongerThanTheReadinessWindowStarvesIt() {
        view.lastPollTick = Optional.of(READY.plusSeconds(200));
        view.lastContact = Optional.of(READY.plusSeconds(100));
        assertThat(rule.starvedBecause(READY.plusSeconds(160))).isEmpty();
        assertThat(rule.starvedBecause(READY.plusSeconds(161))).contains("no answer from the orchestrator for 61 s");
    }

    @Test
    void aRunnerNotAnsweredSinceItStartedIsNotRestartedForTheSilenceOnlyForAStuckPoll() {
        view.lastPollTick = Optional.of(READY.plusSeconds(3590));
        view.lastContact = Optional.of(READY.minusSeconds(3600));
        assertThat(rule.starvedBecause(READY.plusSeconds(3600))).as("restarted during an outage: once is enough").isEmpty();
        view.lastContact = Optional.empty();
        assertThat(rule.starvedBecause(READY.plusSeconds(3600))).as("started in one").isEmpty();
        view.lastPollTick = Optional.of(READY);
        assertThat(rule.starvedBecause(READY.plusSeconds(3600))).contains("no poll for 3600 s");
    }
}
