package com.elcanotek.victoria.runner.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Backoff.Policy POLICY = new Backoff.Policy(Duration.ofSeconds(1), Duration.ofSeconds(60));

    private static OrchestratorException tooMany(Duration retryAfter) {
        return new OrchestratorException("POST /register", 429, "Rate limit exceeded", retryAfter, null);
    }

    /** The first delay of a fresh backoff, as each runner of a fleet refused at the same moment computes it. */
    private static List<Long> firstDelays(OrchestratorException cause) {
        return IntStream.range(0, 200).mapToObj(i -> new Backoff(POLICY).nextDelayInMillis(cause)).toList();
    }

    @Test
    void aFleetToldTheSameRetryAfterComesBackSpreadOverHalfAsLongAgainNeverSooner() {
        List<Long> delays = firstDelays(tooMany(Duration.ofSeconds(60)));

        assertThat(delays).allSatisfy(delay -> assertThat(delay).isBetween(60_000L, 90_000L));
        // 200 runners in at least 20 different seconds: not all in the one the server named.
        assertThat(delays.stream().map(delay -> delay / 1000).distinct().count()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void withoutRetryAfterTheDelayIsHalfFixedHalfRandomAndDoublesUpToTheCap() {
        Backoff backoff = new Backoff(POLICY);
        OrchestratorException unreachable = OrchestratorException.unreachable("GET /tasks/pending", new ConnectException("refused"));

        assertThat(backoff.nextDelayInMillis(unreachable)).isBetween(500L, 1_000L);
        assertThat(backoff.nextDelayInMillis(unreachable)).isBetween(1_000L, 2_000L);
        for (int i = 0; i < 10; i++) {
            backoff.nextDelayInMillis(unreachable);
        }
        assertThat(backoff.nextDelayInMillis(unreachable)).isBetween(30_000L, 60_000L);
    }

    @Test
    void aLongerBackoffThanTheRetryAfterWins() {
        Backoff backoff = new Backoff(new Backoff.Policy(Duration.ofSeconds(40), Duration.ofSeconds(60)));

        assertThat(backoff.nextDelayInMillis(tooMany(Duration.ofSeconds(1)))).isBetween(20_000L, 40_000L);
    }
}
