package com.elcanotek.victoria.runner;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system clock moved by {@link #shift}: forward, as a clock that time synchronisation set; back, so that what it
 * stamps is that old.
 */
public final class ShiftedClock extends Clock {

    public volatile Duration shift = Duration.ZERO;

    /** Moves the clock forward by {@code by}, from where it is. */
    public void advance(Duration by) {
        shift = shift.plus(by);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(shift);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
