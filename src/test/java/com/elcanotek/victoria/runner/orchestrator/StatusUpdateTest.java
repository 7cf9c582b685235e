package com.elcanotek.victoria.runner.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;

class StatusUpdateTest {

    @Test
    void theTimestampHasTheFormTheOriginalRunnerSent() {
        assertThat(StatusUpdate.TIMESTAMP.format(Instant.parse("2026-12-06T20:14:37.123456789Z")))
                .isEqualTo("2026-12-06T20:14:37.123456+00:00");
        assertThat(StatusUpdate.TIMESTAMP.format(Instant.parse("2026-12-06T20:14:37Z")))
                .isEqualTo("2026-12-06T20:14:37.000000+00:00");

        String now = StatusUpdate.of("t", TaskStatus.RUNNING, null).timestamp();
        assertThat(now).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}\\+00:00");
        assertThat(OffsetDateTime.parse(now).toInstant()).isBetween(Instant.now().minusSeconds(5), Instant.now());
    }
}
